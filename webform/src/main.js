// The web form page: ODK's own engine and UI (@getodk/web-forms) filling one form, with the
// offline parts around it. A finished record goes into the IndexedDB outbox before anything
// else happens; sending is a separate step that runs whenever a connection is there.

import { POST_SUBMIT__NEW_INSTANCE } from '@getodk/web-forms';
import { discardDraft, keepDrafts, loadDraft, withoutDeprecatedId } from './drafts.js';
import { $, config, loadFormXml, mountOdkForm, show, texts } from './form.js';
import { askPersistentStorage, cachedFetch, registerServiceWorker, rememberPage } from './offline.js';
import { renderQueue } from './queue.js';
import { sendWaiting, WAITING } from './sender.js';
import { OUTBOX, put } from './store.js';
import { startTrial } from './trial.js';

const RETRY_EVERY_MS = 30000;
const { formKey } = config;
let drafts = null;

async function refreshQueue() {
  const waiting = await renderQueue($('outbox-list'), $('outbox-summary'), formKey, texts);
  $('send-now').disabled = waiting === 0;
  document.body.dataset.waiting = String(waiting);
}

async function sendNow() {
  if (document.body.dataset.sending === 'yes') return;
  document.body.dataset.sending = 'yes';
  try {
    await sendWaiting(formKey, refreshQueue);
  } finally {
    delete document.body.dataset.sending;
    await refreshQueue();
  }
}

function showConnection() {
  const online = navigator.onLine;
  $('connection').textContent = online ? texts.online : texts.offline;
  $('connection').className = online ? 'online' : 'offline';
}

// The instance goes to IndexedDB first; only once it is stored is the form reset and sending
// tried, so closing the tab or losing the line at any moment after "Send" loses nothing.
async function keep(payload, callback) {
  drafts?.seal();
  const data = payload.data[0];
  const xml = withoutDeprecatedId(await data.get('xml_submission_file').text());
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const instanceId = doc.getElementsByTagNameNS('*', 'instanceID')[0]?.textContent?.trim();
  const files = [...data.entries()]
    .filter(([name]) => name !== 'xml_submission_file')
    .map(([name, blob]) => ({ name, blob }));
  try {
    await put(OUTBOX, {
      instanceId, formKey, xml, files,
      submissionUrl: config.submissionUrl,
      status: WAITING,
      message: null,
      createdAt: new Date().toISOString(),
    });
    await discardDraft(formKey);
  } catch (error) {
    console.error(error);
    drafts?.unseal();
    show('save-error', `${texts.saveFailed} (${error.message})`);
    callback({ status: 'failure' });
    return;
  }
  callback({ next: POST_SUBMIT__NEW_INSTANCE });
  window.scrollTo(0, 0);
  await refreshQueue();
  sendNow();
}

// The version attribute of the form's primary instance (or of a saved instance).
function versionOf(xml, primaryInstance) {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const root = primaryInstance
    ? doc.getElementsByTagNameNS('*', 'instance')[0]?.firstElementChild
    : doc.documentElement;
  return root?.getAttribute('version') ?? '';
}

async function draftOption(formXml) {
  const draft = await loadDraft(formKey).catch(() => null);
  if (!draft) return undefined;
  // A draft of an earlier form version may not fit the new questions: start blank instead
  // (the draft is replaced as soon as something is typed).
  if (versionOf(draft.xml, false) !== versionOf(formXml, true)) {
    show('old-draft-notice');
    return undefined;
  }
  show('draft-notice');
  return {
    resolveInstance: async () => draft.xml,
    attachmentFileNames: [],
    resolveAttachment: async () => null,
  };
}

async function mountForm() {
  const formXml = await loadFormXml(cachedFetch);
  if (formXml === null) return;
  const editInstance = await draftOption(formXml);
  mountOdkForm($('form'), { formXml, load: cachedFetch, onSubmit: keep, editInstance });
  drafts = keepDrafts($('form'), formKey);
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'hidden') drafts.saveNow();
  });
  $('discard-draft').addEventListener('click', async () => {
    await discardDraft(formKey);
    location.reload();
  });
}

async function storageNotice() {
  const granted = await askPersistentStorage().catch(() => null);
  document.body.dataset.persistent = String(granted);
  if (granted === false) show('storage-notice');
}

async function start() {
  showConnection();
  window.addEventListener('online', () => { showConnection(); sendNow(); });
  window.addEventListener('offline', showConnection);
  $('send-now').addEventListener('click', sendNow);
  setInterval(() => { if (navigator.onLine) sendNow(); }, RETRY_EVERY_MS);
  await Promise.all([mountForm(), refreshQueue(), storageNotice()]);
  if (await registerServiceWorker(config.serviceWorker, config.scope)) {
    await navigator.serviceWorker.ready;
    await rememberPage();
  }
  document.body.dataset.ready = 'yes';
  if (navigator.onLine) sendNow();
}

// A draft tried on the forms pages keeps nothing on the device and sends nothing.
if (config.trial) startTrial();
else start();
