// Sends the outbox to the OpenRosa submission endpoint, exactly as ODK Collect does: one
// multipart POST per record, the instance in the `xml_submission_file` part. The server stores
// a record once per instanceID (an identical resend answers 202), so sending again after a
// lost answer is safe.

import { recordsOf, update } from './store.js';

export const WAITING = 'waiting';
export const SENT = 'sent';
export const REJECTED = 'rejected';

// Answers that mean "try again later": the record itself is fine.
const RETRY_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);

function body(record) {
  const form = new FormData();
  form.append('xml_submission_file', new File([record.xml], 'submission.xml', { type: 'text/xml' }));
  for (const { name, blob } of record.files ?? []) form.append(name, blob, name);
  return form;
}

// The server's own words from an OpenRosaResponse, else the HTTP status line.
async function serverMessage(response) {
  const text = await response.text().catch(() => '');
  const doc = new DOMParser().parseFromString(text, 'text/xml');
  const message = doc.getElementsByTagNameNS('*', 'message')[0]?.textContent?.trim();
  return message || `${response.status} ${response.statusText}`.trim();
}

async function sendOne(record) {
  let response;
  try {
    response = await fetch(record.submissionUrl, {
      method: 'POST',
      body: body(record),
      headers: { 'X-OpenRosa-Version': '1.0' },
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    return null; // offline or the line dropped: the record stays waiting
  }
  if (response.status === 201 || response.status === 202) {
    return update(record.instanceId, { status: SENT, sentAt: new Date().toISOString(), message: null });
  }
  const message = await serverMessage(response);
  if (RETRY_STATUSES.has(response.status)) {
    return update(record.instanceId, { message });
  }
  return update(record.instanceId, { status: REJECTED, message });
}

let running = null;

// Sends every waiting record of this form; one run at a time per tab (a second call while a run
// is going joins it). Resolves to the number of records still waiting.
export function sendWaiting(formKey, onChange) {
  running ??= (async () => {
    try {
      const waiting = (await recordsOf(formKey)).filter((r) => r.status === WAITING);
      waiting.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
      let left = 0;
      for (const [index, record] of waiting.entries()) {
        const result = await sendOne(record);
        if (result === null) return waiting.length - index; // no connection: stop trying
        if (result.status === WAITING) left += 1;
        onChange();
      }
      return left;
    } finally {
      running = null;
    }
  })();
  return running;
}
