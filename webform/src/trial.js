// Trying a draft on the forms pages: the same engine and page as a cadre's, but nothing is kept
// or sent. No service worker, no Cache Storage, no IndexedDB outbox or drafts: the draft and its
// lists are fetched fresh each time, and Send (once the form's own constraints and required
// answers pass) shows the record that would have been sent instead of sending it.

import { POST_SUBMIT__NEW_INSTANCE } from '@getodk/web-forms';
import { $, loadFormXml, mountOdkForm } from './form.js';

const fresh = (url) => fetch(url, { credentials: 'same-origin', cache: 'no-store' });

// Each answered leaf of the instance as "group / question" → value; the meta block (instanceID
// and the like) is left to the XML below.
function answers(xml) {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const found = [];
  const walk = (element, path) => {
    for (const child of element.children) {
      if (child.localName === 'meta') continue;
      const name = [...path, child.localName];
      if (child.children.length > 0) walk(child, name);
      else if (child.textContent.trim() !== '') found.push([name.join(' / '), child.textContent]);
    }
  };
  walk(doc.documentElement, []);
  return found;
}

function showRecord(xml) {
  const list = $('trial-answers');
  list.replaceChildren();
  for (const [name, value] of answers(xml)) {
    const term = document.createElement('dt');
    term.textContent = name;
    const detail = document.createElement('dd');
    detail.textContent = value;
    list.append(term, detail);
  }
  $('trial-xml').textContent = xml;
  $('trial-record').hidden = false;
  document.body.dataset.records = String(Number(document.body.dataset.records ?? 0) + 1);
}

async function shown(payload, callback) {
  const xml = await payload.data[0].get('xml_submission_file').text();
  showRecord(xml);
  callback({ next: POST_SUBMIT__NEW_INSTANCE }); // a blank record, as a cadre gets after Send
  window.scrollTo(0, 0);
}

export async function startTrial() {
  document.body.dataset.trial = 'yes';
  const formXml = await loadFormXml(fresh);
  if (formXml !== null) mountOdkForm($('form'), { formXml, load: fresh, onSubmit: shown });
  document.body.dataset.ready = 'yes';
}
