// ODK's engine and UI (@getodk/web-forms) on the page: what the cadre's page (main.js) and a
// draft being tried (trial.js) share, so that both fill the form in exactly the same way.

import { createApp, h } from 'vue';
import { OdkWebForm, webFormsPlugin } from '@getodk/web-forms';
import { keepInVietnamese, pageIsVietnamese, PRIMEVUE_VI } from './ui-vi.js';
import './page.css';

export const $ = (id) => document.getElementById(id);
export const config = JSON.parse($('webform-config').textContent);
export const texts = JSON.parse($('webform-texts').textContent);

// Shows a notice, with `text` in its .text part when given.
export function show(id, text) {
  const element = $(id);
  if (text !== undefined) element.querySelector('.text').textContent = text;
  element.hidden = false;
}

// The form's XML through `load` (a fetch), or null once the load-error notice says why.
export async function loadFormXml(load) {
  try {
    const response = await load(config.formUrl);
    if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
    return await response.text();
  } catch (error) {
    show('load-error', `${texts.loadFailed} (${error.message})`);
    return null;
  }
}

// The form names its files jr://file/<name>; they are the same media a phone downloads.
function attachmentFetcher(load) {
  return (url) => {
    const name = decodeURIComponent(String(url.pathname ?? url).split('/').pop());
    return load(config.attachmentsBase + encodeURIComponent(name));
  };
}

// Mounts the form in `element`; `onSubmit(payload, callback)` gets only records that passed the
// form's own constraints and required answers (the engine shows its messages otherwise).
export function mountOdkForm(element, { formXml, load, onSubmit, editInstance }) {
  const app = createApp({
    render: () => h(OdkWebForm, {
      formXml,
      fetchFormAttachment: attachmentFetcher(load),
      trackDevice: true,
      ...(editInstance ? { editInstance } : {}),
      onSubmit,
    }),
  });
  app.use(webFormsPlugin);
  if (pageIsVietnamese()) {
    // The plugin installs PrimeVue; its config is reactive, so the date picker follows.
    const primevue = app.config.globalProperties.$primevue;
    if (primevue) Object.assign(primevue.config.locale, PRIMEVUE_VI);
    keepInVietnamese();
  }
  app.mount(element);
}
