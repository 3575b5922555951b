// The visible outbox: every finished record of this form on this device, with its state
// (waiting, sent, rejected with the server's message).

import { recordsOf } from './store.js';

function recordLabel(record) {
  const doc = new DOMParser().parseFromString(record.xml, 'text/xml');
  const name = doc.getElementsByTagNameNS('*', 'instanceName')[0]?.textContent?.trim();
  return name || record.instanceId;
}

function item(record, texts) {
  const li = document.createElement('li');
  li.className = `record ${record.status}`;
  li.dataset.status = record.status;
  li.dataset.instanceId = record.instanceId;
  const label = document.createElement('span');
  label.className = 'record-label';
  label.textContent = recordLabel(record);
  const state = document.createElement('span');
  state.className = 'record-state';
  state.textContent = texts[record.status];
  li.append(label, state);
  if (record.message && record.status !== 'sent') {
    const message = document.createElement('span');
    message.className = 'record-message';
    message.textContent = record.message;
    li.append(message);
  }
  return li;
}

export async function renderQueue(list, summary, formKey, texts) {
  const records = await recordsOf(formKey);
  // Waiting and rejected first (they need attention), then the newest.
  const rank = { waiting: 0, rejected: 1, sent: 2 };
  records.sort(
    (a, b) => rank[a.status] - rank[b.status] || b.createdAt.localeCompare(a.createdAt),
  );
  list.replaceChildren(...records.map((r) => item(r, texts)));
  const count = (status) => records.filter((r) => r.status === status).length;
  summary.textContent = texts.summary
    .replace('{waiting}', count('waiting'))
    .replace('{sent}', count('sent'))
    .replace('{rejected}', count('rejected'));
  return count('waiting');
}
