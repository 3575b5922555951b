// What keeps the form usable with no connection: the service worker (page and engine files),
// a cache of the form and its media filled by the page itself, and persistent storage.

export const DATA_CACHE = 'rasoat-webform-data-v1';
// On a line that answers but barely ("lie-fi"), a copy already on the device is worth more
// than waiting for the network.
const NETWORK_TIMEOUT_MS = 15000;

export async function registerServiceWorker(url, scope) {
  if (!('serviceWorker' in navigator)) return false;
  try {
    await navigator.serviceWorker.register(url, { scope });
    return true;
  } catch (error) {
    console.warn('service worker not registered', error);
    return false;
  }
}

// The first visit loads the page before any service worker runs, so the page puts itself
// into the cache that the worker answers navigations from when offline.
export async function rememberPage() {
  if (!('caches' in window)) return;
  const cache = await caches.open(DATA_CACHE);
  if (!(await cache.match(location.href))) {
    await cache.add(new Request(location.href, { credentials: 'same-origin' })).catch(() => {});
  }
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), ms);
    promise.then(resolve, reject).finally(() => clearTimeout(timer));
  });
}

// Network first (a new form version or a changed village list must arrive when online), the
// device's copy when the network fails; every good answer refreshes the copy.
export async function cachedFetch(url) {
  const cache = 'caches' in window ? await caches.open(DATA_CACHE) : null;
  const copy = cache ? await cache.match(url) : undefined;
  try {
    const request = fetch(url, { credentials: 'same-origin', cache: 'no-cache' });
    const response = await (copy ? withTimeout(request, NETWORK_TIMEOUT_MS) : request);
    if (response.ok) {
      await cache?.put(url, response.clone());
      return response;
    }
    if (!copy) return response;
  } catch (error) {
    if (!copy) throw error;
  }
  return copy;
}

// Asks the browser not to clear our storage under pressure. Resolves to true when granted,
// false when refused, null when the browser cannot tell.
export async function askPersistentStorage() {
  if (!navigator.storage?.persist) return null;
  if (await navigator.storage.persisted()) return true;
  return navigator.storage.persist();
}
