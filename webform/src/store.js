// The browser's own copy of the cadre's work, in IndexedDB: the outbox of finished records
// (kept until the server has acknowledged them, and afterwards as the "sent" list) and one
// draft per form and person. Nothing here talks to the network.

const DB_NAME = 'rasoat-webform';
const DB_VERSION = 1;
export const OUTBOX = 'outbox';
export const DRAFTS = 'drafts';

let opened = null;

function database() {
  opened ??= new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      const outbox = db.createObjectStore(OUTBOX, { keyPath: 'instanceId' });
      outbox.createIndex('formKey', 'formKey');
      db.createObjectStore(DRAFTS, { keyPath: 'formKey' });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  return opened;
}

// One request in its own transaction; resolves when the transaction has committed, so a record
// reported as saved is on disk even if the tab is closed right after.
async function run(storeName, mode, action) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(storeName, mode, { durability: 'strict' });
    const request = action(tx.objectStore(storeName));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

export const put = (storeName, value) => run(storeName, 'readwrite', (s) => s.put(value));
export const get = (storeName, key) => run(storeName, 'readonly', (s) => s.get(key));
export const remove = (storeName, key) => run(storeName, 'readwrite', (s) => s.delete(key));

export function recordsOf(formKey) {
  return run(OUTBOX, 'readonly', (s) => s.index('formKey').getAll(formKey));
}

// Read-modify-write in one transaction, so a status change never loses another field.
export async function update(instanceId, changes) {
  const db = await database();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(OUTBOX, 'readwrite', { durability: 'strict' });
    const store = tx.objectStore(OUTBOX);
    let updated = null;
    store.get(instanceId).onsuccess = (event) => {
      const record = event.target.result;
      if (record) {
        updated = { ...record, ...changes };
        store.put(updated);
      }
    };
    tx.oncomplete = () => resolve(updated);
    tx.onerror = () => reject(tx.error);
  });
}
