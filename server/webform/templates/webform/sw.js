// rasoat web form service worker (rendered by the server for bundle {{ version }}).
// Keeps the page and the engine's files on the device so the form opens with no connection;
// the form and its media are cached by the page itself, records live in IndexedDB.
const VERSION = {{ version | tojson }};
const ASSETS = {{ assets | tojson }};
const ASSET_PREFIX = {{ asset_prefix | tojson }};
const SCOPE_PATH = {{ scope | tojson }};
const ASSET_CACHE = 'rasoat-webform-assets-' + VERSION;
const DATA_CACHE = 'rasoat-webform-data-v1';
// On a line that answers but barely, a page already on the device is worth more than waiting.
const NAVIGATION_TIMEOUT_MS = 10000;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(ASSET_CACHE).then((cache) => cache.addAll(ASSETS)).then(() => self.skipWaiting()),
  );
});

// Pages kept for offline use name the bundle they were served with. Before an older bundle's
// files are dropped, every kept page is fetched again so that it names this bundle; if one
// cannot be (offline, server down), the old files stay until the next version's activation.
async function refreshPages() {
  const cache = await caches.open(DATA_CACHE);
  let all = true;
  for (const request of await cache.keys()) {
    if (!new URL(request.url).pathname.startsWith(SCOPE_PATH)) continue;
    try {
      const response = await fetch(request.url, { credentials: 'same-origin', cache: 'no-cache' });
      if (response.ok) await cache.put(request, response);
      else all = false;
    } catch {
      all = false;
    }
  }
  return all;
}

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    await self.clients.claim();
    if (!(await refreshPages())) return;
    for (const key of await caches.keys()) {
      if (key.startsWith('rasoat-webform-assets-') && key !== ASSET_CACHE) await caches.delete(key);
    }
  })());
});

// Hashed files never change: the device's copy is the answer, the network only fills gaps.
async function asset(request) {
  const copy = await caches.match(request);
  if (copy) return copy;
  const response = await fetch(request);
  if (response.ok) (await caches.open(ASSET_CACHE)).put(request, response.clone());
  return response;
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

// Pages: the network first (a new form version must show), the device's copy without it.
async function page(request) {
  const cache = await caches.open(DATA_CACHE);
  const copy = await cache.match(request, { ignoreSearch: true });
  try {
    const fetched = fetch(request);
    const response = await (copy ? withTimeout(fetched, NAVIGATION_TIMEOUT_MS) : fetched);
    if (response.ok) await cache.put(request, response.clone());
    // The server's refusal (a revoked link, a closed form) stands; its failure does not.
    return response.status >= 500 && copy ? copy : response;
  } catch (error) {
    if (copy) return copy;
    throw error;
  }
}

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(ASSET_PREFIX)) event.respondWith(asset(request));
  else if (request.mode === 'navigate') event.respondWith(page(request));
});
