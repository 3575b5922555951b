// Fill an XForm with ODK's own form engine (@getodk/xforms-engine, the engine of ODK Web Forms)
// and print the instance XML it would submit. Test-only: tests/support/engine.py drives it.
//
// stdin:  one request object, or a JSON array of them (batch: one process, many records)
//   {"form": "<h:html …>",                      XForm XML (as pyxform writes it)
//    "attachments": {"villages.csv": "name,label\n…" | {"base64": "…"}},   form media by file name
//    "answers": [[reference, value], …],        applied IN ORDER, as a person fills the form
//    "deviceID": "collect:…",                   optional, for the `deviceid` preload
//    "language": "English (en)" | "en"}         optional, language of the violation messages
//   A reference is the engine's: "/data/members", "/data/member[2]/m_name" (a name without a
//   leading "/" is taken relative to the root: "members"). Values:
//     repeat range ("/data/member")   number of instances wanted (adds or removes at the end)
//     select_one                      "V1" (must be one of the choices the engine offers then)
//     select_multiple, rank           ["a", "b"]
//     int / decimal / text / date …   string or number, as the engine's setValue takes them
//     trigger                         true / false
//     upload (image, audio, file)     "photo.jpg" (empty file) or {"name": "photo.jpg", "base64": "…"}
//     null                            clears the answer
// stdout: one result object (or an array, in request order)
//   {"status": "ready" | "pending", "xml": "<data id=…>…</data>",
//    "violations": [{"reference", "condition": "constraint" | "required", "message"}],
//    "values": {reference: text},      every relevant calculate/preload/meta node, as written in the XML
//    "attachments": {name: base64}}   instance attachments (upload answers) the engine would send
//   A request that cannot be carried out gives {"status": "error", "error": "…"}.
// exit:   0 all ready, 2 some pending (violations), 1 some error (the message is also on stderr).
//
// `node fill.mjs --lines` keeps running instead: one request (or batch) per stdin line, one result
// (or array) per stdout line, until stdin closes. tests/support/engine.py uses this mode.

// The engine must not write to stdout (our JSON goes there).
for (const level of ['log', 'info', 'debug']) console[level] = (...args) => console.error(...args);

const { JSDOM } = await import('jsdom');
// The engine parses XML with the DOM APIs of a browser; jsdom provides them.
const { window } = new JSDOM('');
for (const name of ['DOMParser', 'XMLSerializer', 'Node', 'Element', 'Document', 'NodeFilter', 'document']) {
  globalThis[name] ??= window[name];
}
// web-tree-sitter (bundled in the engine, emscripten) reads __dirname when it sees Node; ESM has none.
globalThis.__dirname ??= '/';
// Node 18 (Debian 12's nodejs) has File only in node:buffer and Web Crypto only in node:crypto.
globalThis.File ??= (await import('node:buffer')).File;
globalThis.crypto ??= (await import('node:crypto')).webcrypto;
// A dynamic import, so that the shims above exist before the engine's module code runs.
const { loadForm } = await import('@getodk/xforms-engine');

class RequestError extends Error {}

const loadedForms = new Map(); // parse each (form, attachments) once per process
const LOADED_FORMS_KEPT = 50;

function attachmentBody(name, content) {
  if (typeof content === 'string') return content;
  if (content && typeof content.base64 === 'string') return Buffer.from(content.base64, 'base64');
  throw new RequestError(`attachment ${name}: give its text, or {"base64": "…"}`);
}

const CONTENT_TYPES = { csv: 'text/csv', xml: 'text/xml', geojson: 'application/geo+json' };

async function load(form, attachments) {
  const key = JSON.stringify([form, attachments]);
  if (loadedForms.has(key)) return loadedForms.get(key);
  const missing = [];
  // The engine asks for every jr://file…/NAME the form references (jr://file-csv/villages.csv for
  // select_one_from_file villages.csv) and reads text/csv, text/xml or geojson from the response.
  const fetchFormAttachment = async (url) => {
    const name = decodeURIComponent(url.pathname.split('/').pop() || url.href);
    if (!Object.hasOwn(attachments, name)) {
      missing.push(name);
      return new Response('', { status: 404 });
    }
    const type = CONTENT_TYPES[name.split('.').pop().toLowerCase()] ?? 'application/octet-stream';
    return new Response(attachmentBody(name, attachments[name]), { headers: { 'content-type': type } });
  };
  const loaded = await loadForm(form, { fetchFormAttachment });
  if (loaded.status === 'failure') {
    const given = Object.keys(attachments);
    const hint = missing.length
      ? ` (the form needs ${missing.join(', ')}; attachments given: ${given.length ? given.join(', ') : 'none'})`
      : '';
    throw new RequestError(`the engine could not load the form: ${loaded.error?.message ?? loaded.error}${hint}`);
  }
  if (loadedForms.size >= LOADED_FORMS_KEPT) loadedForms.delete(loadedForms.keys().next().value);
  loadedForms.set(key, loaded);
  return loaded;
}

function nodesByReference(root) {
  const nodes = new Map();
  const walk = (node) => {
    nodes.set(node.currentState.reference, node);
    for (const child of node.currentState.children ?? []) walk(child);
  };
  walk(root);
  return nodes;
}

function findNode(root, reference) {
  const nodes = nodesByReference(root);
  const wanted = reference.startsWith('/') ? reference : `${root.currentState.reference}/${reference}`;
  const node = nodes.get(wanted);
  if (!node) {
    throw new RequestError(`unknown reference ${reference}; the form has now: ${[...nodes.keys()].join(' ')}`);
  }
  return node;
}

function describeValue(value) {
  return JSON.stringify(value, (_key, v) => (typeof v === 'bigint' ? String(v) : v));
}

function uploadFile(value) {
  if (typeof value === 'string') return new File([], value);
  if (value && typeof value.name === 'string') {
    return new File([Buffer.from(value.base64 ?? '', 'base64')], value.name, { type: value.type ?? '' });
  }
  throw new RequestError(`an upload answer is a file name or {"name", "base64"}, not ${describeValue(value)}`);
}

function setRepeatCount(node, reference, value) {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0) {
    throw new RequestError(`${reference} is a repeat: answer it with the number of instances, not ${describeValue(value)}`);
  }
  if (node.nodeType === 'repeat-range:controlled') {
    throw new RequestError(`${reference} is a repeat whose count comes from the form (jr:count); answer that question instead`);
  }
  const have = node.currentState.children.length;
  if (count > have) node.addInstances(undefined, count - have); // after the last one
  else if (count < have) node.removeInstances(count, have - count);
}

function selectValues(node, reference, value) {
  const wanted = (value == null ? [] : Array.isArray(value) ? value : [value]).map(String).filter((v) => v !== '');
  if (node.selectType === 'select1' && wanted.length > 1) {
    throw new RequestError(`${reference} is a select_one: give one value, not ${describeValue(value)}`);
  }
  node.selectValues(wanted);
  // The engine silently drops a value that is not among the choices it offers at this point
  // (choice list, CSV rows, choice_filter): refuse loudly instead, as no person could pick it.
  const got = node.currentState.value;
  const dropped = wanted.filter((v) => !got.includes(v));
  if (dropped.length) {
    const offered = node.currentState.valueOptions.map((option) => option.value);
    throw new RequestError(
      `${reference}: ${dropped.map((v) => JSON.stringify(v)).join(', ')} is not among the choices the engine offers ` +
        `(it dropped the value); choices now: ${offered.length ? offered.join(' ') : '(none)'}`,
    );
  }
}

function answer(root, reference, value) {
  if (typeof reference !== 'string') throw new RequestError(`an answer is [reference, value], got ${describeValue(reference)}`);
  const node = findNode(root, reference);
  const state = node.currentState;
  reference = state.reference; // messages name the full reference
  if (node.nodeType.startsWith('repeat-range')) return setRepeatCount(node, reference, value);
  if (!state.relevant) throw new RequestError(`${reference} is not relevant now (its relevant condition is false), so it cannot be answered`);
  if (node.nodeType === 'model-value') throw new RequestError(`${reference} is calculated by the form (no question); it cannot be answered`);
  if (state.readonly) throw new RequestError(`${reference} is read-only`);
  switch (node.nodeType) {
    case 'select':
      return selectValues(node, reference, value);
    case 'rank':
      if (!Array.isArray(value)) throw new RequestError(`${reference} is a rank: give the values in order, as a list`);
      return node.setValues(value.map(String));
    case 'trigger':
      return node.setValue(Boolean(value));
    case 'upload':
      return node.setValue(value == null ? null : uploadFile(value));
    case 'input':
    case 'range':
      if (value == null || typeof value === 'string') return node.setValue(value);
      if (typeof value === 'number') {
        return node.setValue(['int', 'decimal'].includes(node.valueType) || node.nodeType === 'range' ? value : String(value));
      }
      throw new RequestError(`${reference}: give a string or a number, not ${describeValue(value)}`);
    default:
      throw new RequestError(`${reference} is a ${node.nodeType}; it takes no answer`);
  }
}

function chooseLanguage(root, wanted) {
  if (wanted == null) return;
  const language = root.languages.find(
    (l) => l.language === wanted || l.locale?.baseName === wanted || l.language.endsWith(`(${wanted})`),
  );
  if (!language) {
    throw new RequestError(`unknown language ${wanted}; the form has: ${root.languages.map((l) => l.language).join(', ')}`);
  }
  root.setLanguage(language);
}

function calculatedValues(root) {
  const values = {};
  for (const [reference, node] of nodesByReference(root)) {
    if (node.nodeType === 'model-value' && node.currentState.relevant) values[reference] = node.currentState.instanceValue;
  }
  return values;
}

async function fill(request) {
  if (request == null || typeof request !== 'object' || Array.isArray(request)) throw new RequestError('a request is a JSON object');
  const { form, attachments = {}, answers = [], deviceID, language } = request;
  if (typeof form !== 'string' || !form.trim()) throw new RequestError('"form" (the XForm XML) is missing');
  if (!Array.isArray(answers)) throw new RequestError('"answers" is a list of [reference, value] pairs, in order');
  const loaded = await load(form, attachments ?? {});
  const preloadProperties = deviceID == null ? { deviceID: 'rasoat-form-engine' } : { deviceID: String(deviceID) };
  const { root } = loaded.createInstance({ preloadProperties });
  chooseLanguage(root, language);
  for (const pair of answers) {
    if (!Array.isArray(pair) || pair.length !== 2) throw new RequestError(`an answer is [reference, value], got ${describeValue(pair)}`);
    answer(root, pair[0], pair[1]);
  }
  const payload = await root.prepareInstancePayload({ payloadType: 'monolithic' });
  const attachmentsOut = {};
  let xml = '';
  for (const [name, file] of payload.data[0]) {
    if (name === 'xml_submission_file') xml = await file.text();
    else attachmentsOut[name] = Buffer.from(await file.arrayBuffer()).toString('base64');
  }
  return {
    status: payload.status,
    xml,
    violations: (payload.violations ?? []).map((v) => ({
      reference: v.reference,
      condition: v.violation.condition,
      message: v.violation.message?.asString ?? null,
    })),
    values: calculatedValues(root),
    attachments: attachmentsOut,
  };
}

async function fillSafely(request) {
  try {
    return await fill(request);
  } catch (error) {
    const message = error instanceof RequestError ? error.message : `engine error: ${error?.stack ?? error}`;
    return { status: 'error', error: message };
  }
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

async function serveLines() {
  // One request (object or array) per stdin line, one result (object or array) per stdout line,
  // until stdin closes: a test session pays for starting Node once.
  const { createInterface } = await import('node:readline');
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (!line.trim()) continue;
    let output;
    try {
      const input = JSON.parse(line);
      output = Array.isArray(input) ? await fillAll(input) : await fillSafely(input);
    } catch (error) {
      output = { status: 'error', error: `the request line is not JSON: ${error.message}` };
    }
    process.stdout.write(JSON.stringify(output) + '\n');
  }
}

async function fillAll(requests) {
  const results = [];
  for (const request of requests) results.push(await fillSafely(request));
  return results;
}

async function serveOnce() {
  let input;
  try {
    input = JSON.parse(await readStdin());
  } catch (error) {
    console.error(`fill.mjs: stdin is not JSON: ${error.message}`);
    process.exit(1);
  }
  const batch = Array.isArray(input);
  const results = await fillAll(batch ? input : [input]);
  for (const [index, result] of results.entries()) {
    if (result.status === 'error') console.error(`fill.mjs: ${batch ? `request ${index}: ` : ''}${result.error}`);
  }
  process.stdout.write(JSON.stringify(batch ? results : results[0]) + '\n');
  const statuses = new Set(results.map((r) => r.status));
  process.exitCode = statuses.has('error') ? 1 : statuses.has('pending') ? 2 : 0;
}

await (process.argv.includes('--lines') ? serveLines() : serveOnce());
