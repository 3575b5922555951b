// Drafts: a half-filled record survives closing the tab. The form's current instance XML is
// saved to IndexedDB whenever it changes; the next visit opens it again through web-forms'
// `editInstance` option.

import { DRAFTS, get, put, remove } from './store.js';

const SAVE_EVERY_MS = 1000;

// web-forms 0.22 does not hand the host its form instance; it passes the engine's root node
// to its header component as the `form` prop, so we find it there in the component tree
// (from the mount element's vnode: production Vue keeps no other handle on it).
function findRoot(vnode, depth = 0) {
  if (!vnode || depth > 40) return null;
  const component = vnode.component;
  if (component) {
    const form = component.props?.form;
    if (form?.instanceState && typeof form.prepareInstancePayload === 'function') return form;
    return findRoot(component.subTree, depth + 1);
  }
  if (Array.isArray(vnode.children)) {
    for (const child of vnode.children) {
      const found = findRoot(child, depth + 1);
      if (found) return found;
    }
  }
  return null;
}

export const loadDraft = (formKey) => get(DRAFTS, formKey);
export const discardDraft = (formKey) => remove(DRAFTS, formKey);

// The engine opens a saved instance in "edit" mode and then writes meta/deprecatedID, as if a
// record already on the server were being corrected. A draft never reached the server, so
// the deprecatedID must go, or the server would look for a record to replace.
export function withoutDeprecatedId(xml) {
  return xml.replace(/<(\w+:)?deprecatedID>[^<]*<\/(\w+:)?deprecatedID>|<(\w+:)?deprecatedID\/>/g, '');
}

// Watches the mounted form and saves its instance once the person has touched it (the blank
// instance is not a draft). Input anywhere but our own bar, notices and queue counts: the
// form's drop-down lists open in overlays outside the form's element.
function touchedByPerson(event) {
  return !(event.target instanceof Element && event.target.closest('.wf-bar, .notice, #outbox'));
}

// "Draft saved at 10:42:07": the person sees their typing is safe; tests wait for it.
function showSaved(savedAt) {
  const status = document.getElementById('draft-saved');
  if (!status) return;
  status.querySelector('time').textContent = savedAt.toLocaleTimeString('vi-VN');
  status.dataset.savedAt = String(savedAt.getTime());
  status.hidden = false;
}

export function keepDrafts(container, formKey) {
  let root = null;
  let touched = false;
  let saved = null;
  let sealed = null;
  const mark = (event) => { if (touchedByPerson(event)) touched = true; };
  for (const type of ['input', 'change', 'click', 'keydown']) {
    document.addEventListener(type, mark, { capture: true });
  }
  const save = async () => {
    const current = findRoot(container._vnode);
    if (!current || current === sealed) return;
    if (current !== root) {
      // A new instance after a reset (the record was sent): nothing typed into it yet. On the
      // first render we keep what was noted: on a slow phone the person may have typed
      // before this timer first found the form, and that typing is a draft.
      if (root !== null) touched = false;
      root = current;
      saved = null;
    }
    const xml = current.instanceState.instanceXML;
    if (!touched || xml === saved) return;
    saved = xml;
    const savedAt = new Date();
    await put(DRAFTS, { formKey, xml, savedAt: savedAt.toISOString() });
    showSaved(savedAt);
  };
  setInterval(() => save().catch(console.error), SAVE_EVERY_MS);
  return {
    saveNow: () => save(),
    // The instance has been finished and is in the outbox: it must never come back as a draft.
    seal: () => { sealed = findRoot(container._vnode); },
    unseal: () => { sealed = null; },
  };
}
