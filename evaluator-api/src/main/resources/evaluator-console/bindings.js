// SQL++ functions (bindings): every binding the user may see, broken ones flagged, drop; and the dialog that
// creates one by picking a library and then one of its functions from a list.

import { api, ApiError } from './api.js';
import { append, clear, h } from './dom.js';
import { backQuote, GLOBAL, libraryNamespace, namespaceLabel, queryContext, scoped } from './model.js';
import { libraryHash } from './libraries.js';

/** The CREATE FUNCTION statement binding `name` in the library's namespace to a JavaScript function. */
export function createStatement(library, fn, name, parameters) {
  const params = parameters.trim() === '...' ? '...'
    : parameters.split(',').map((p) => p.trim()).filter(Boolean).map(backQuote).join(', ');
  const at = library.ns.global ? library.name : `./${library.name}`;
  return `CREATE FUNCTION ${backQuote(name)}(${params}) LANGUAGE JAVASCRIPT AS ${JSON.stringify(fn)} `
    + `AT ${JSON.stringify(at)}`;
}

/**
 * Create a SQL++ function: pick a library (of those the user may manage), then one of its functions; the name and
 * parameters are pre-filled from the function. preset may name { ns, library, fn }. Resolves true when created.
 */
export async function bindingDialog(ctx, preset = {}) {
  let libraries;
  try {
    libraries = (await api.libraries()).map((l) => ({ ns: libraryNamespace(l), name: l.name }))
      .filter((l) => ctx.perms.canManage(l.ns));
  } catch (e) {
    ctx.fail(e, 'The libraries cannot be listed');
    return false;
  }
  if (!libraries.length) {
    ctx.message('There is no library you may bind functions of. Create one first.', 'info');
    return false;
  }
  const librarySelect = h('select', { id: 'binding-library' }, libraries.map((l, i) => h('option', { value: String(i) },
    `${l.name} (${namespaceLabel(l.ns)})`)));
  const functionSelect = h('select', { id: 'binding-function' });
  const nameInput = h('input', { id: 'binding-name', autocomplete: 'off', required: true });
  const paramsInput = h('input', { id: 'binding-parameters', autocomplete: 'off', 'aria-describedby': 'binding-parameters-hint' });
  const preview = h('pre', { id: 'binding-statement', class: 'statement' });
  const functionHint = h('p', { class: 'hint', id: 'binding-function-hint' });
  let functions = [];
  let nameEdited = false;
  let paramsEdited = false;

  const selectedLibrary = () => libraries[Number(librarySelect.value)];
  const selectedFunction = () => functions.find((f) => f.name === functionSelect.value);

  function updatePreview() {
    const library = selectedLibrary();
    const fn = functionSelect.value;
    preview.textContent = fn && nameInput.value.trim()
      ? createStatement(library, fn, nameInput.value.trim(), paramsInput.value) : '';
  }

  function prefill() {
    const fn = selectedFunction();
    functionHint.textContent = fn ? (fn.doc || '') : 'This library defines no top-level function.';
    if (!fn) return updatePreview();
    if (!nameEdited) nameInput.value = fn.name;
    if (!paramsEdited) paramsInput.value = fn.variadic ? '...' : fn.parameters.join(', ');
    updatePreview();
  }

  async function loadFunctions(preferred) {
    const library = selectedLibrary();
    clear(functionSelect);
    functions = [];
    try {
      functions = (await api.functions(library.ns, library.name)).functions;
    } catch (e) {
      functionHint.textContent = e.message;
    }
    append(functionSelect, functions.map((f) => h('option', { value: f.name },
      `${f.name}(${f.parameters.join(', ')}${f.variadic ? ' …' : ''})`)));
    if (preferred && functions.some((f) => f.name === preferred)) functionSelect.value = preferred;
    prefill();
  }

  const presetIndex = preset.library
    ? libraries.findIndex((l) => l.name === preset.library && l.ns.key === preset.ns.key) : -1;
  librarySelect.value = String(Math.max(presetIndex, 0));
  librarySelect.addEventListener('change', () => loadFunctions());
  functionSelect.addEventListener('change', prefill);
  nameInput.addEventListener('input', () => {
    nameEdited = true;
    updatePreview();
  });
  paramsInput.addEventListener('input', () => {
    paramsEdited = true;
    updatePreview();
  });
  await loadFunctions(preset.fn);

  let created = null;
  const ok = await ctx.dialog({
    title: 'New SQL++ function',
    okLabel: 'Create',
    initialFocus: preset.fn ? '#binding-name' : '#binding-library',
    body: [
      h('label', { for: 'binding-library' }, 'Library'), librarySelect,
      h('label', { for: 'binding-function' }, 'JavaScript function'), functionSelect, functionHint,
      h('label', { for: 'binding-name' }, 'SQL++ function name'), nameInput,
      h('label', { for: 'binding-parameters' }, 'Parameters'), paramsInput,
      h('p', { class: 'hint', id: 'binding-parameters-hint' },
        'Comma-separated names, as many as the JavaScript function takes; ... for any number.'),
      h('p', { class: 'hint' }, 'The SQL++ function is created in the library\'s namespace:'),
      preview,
    ],
    onSubmit: async () => {
      const library = selectedLibrary();
      const fn = functionSelect.value;
      const name = nameInput.value.trim();
      if (!fn) throw new Error('Pick a JavaScript function.');
      if (!name) throw new Error('Give the SQL++ function a name.');
      await api.query(createStatement(library, fn, name, paramsInput.value), queryContext(library.ns));
      created = await printedName(library.ns, name);
    },
  });
  if (ok) ctx.message(`SQL++ function ${created} created.`, 'success');
  return ok;
}

/** A SQL++ function's full name exactly as the server prints it (its qualifiedName in system:functions). */
async function printedName(ns, name) {
  const found = ns.global
    ? await api.query('SELECT RAW qualifiedName FROM system:functions'
      + ' WHERE identity.type = "global" AND identity.name = $1', undefined, [name])
    : await api.query('SELECT RAW qualifiedName FROM system:functions WHERE identity.type = "scope"'
      + ' AND identity.`bucket` = $2 AND identity.`scope` = $3 AND identity.name = $1', undefined,
    [name, ns.bucket, ns.scope]);
  return (found && found.results && found.results[0]) || name;
}

/** A catalog document of system:functions as the page shows it. */
function binding(document) {
  const identity = document.identity;
  const definition = document.definition;
  const ns = identity.type === 'scope' ? scoped(identity.bucket, identity.scope) : GLOBAL;
  const libraryNs = definition.prefix
    ? scoped(definition.prefix.slice(0, definition.prefix.lastIndexOf('/')),
      definition.prefix.slice(definition.prefix.lastIndexOf('/') + 1))
    : GLOBAL;
  return {
    ns,
    name: identity.name,
    qualified: document.qualifiedName,
    parameters: definition.parameters,
    library: definition.library,
    libraryNs,
    object: definition.object,
    broken: document.broken === true,
    brokenReason: document.brokenReason,
  };
}

export async function render(container, ctx, params) {
  const filter = h('input', { id: 'binding-filter', type: 'search', value: params.get('q') || '', placeholder: 'name, library or function' });
  const createButton = ctx.perms.managesAny
    ? h('button', { type: 'button', id: 'new-binding' }, 'New SQL++ function') : null;
  const body = h('tbody');
  const summary = h('p', { class: 'summary', id: 'binding-summary', 'aria-live': 'polite' });
  append(container,
    h('div', { class: 'page-head' }, h('h1', {}, 'SQL++ functions'), createButton),
    h('div', { class: 'toolbar' },
      h('div', { class: 'field grow' }, h('label', { for: 'binding-filter' }, 'Filter'), filter)),
    summary,
    h('div', { class: 'table-wrap' }, h('table', { id: 'bindings-table', class: 'data' },
      h('caption', { class: 'visually-hidden' }, 'SQL++ functions bound to library functions'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'SQL++ function'),
        h('th', { scope: 'col' }, 'Parameters'),
        h('th', { scope: 'col' }, 'Library'),
        h('th', { scope: 'col' }, 'JavaScript function'),
        h('th', { scope: 'col' }, 'Status'),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      body)));

  let bindings = [];
  function draw() {
    const text = filter.value.trim().toLowerCase();
    const rows = bindings.filter((b) => !text || b.qualified.toLowerCase() === text
      || [b.qualified, b.library, b.object, namespaceLabel(b.ns)].some((v) => v.toLowerCase().includes(text)));
    clear(body);
    for (const b of rows) {
      const manage = ctx.perms.canManage(b.ns);
      append(body, h('tr', { dataset: { function: b.qualified }, class: b.broken ? 'broken' : '' },
        h('th', { scope: 'row' }, h('code', {}, b.qualified)),
        h('td', {}, b.parameters ? b.parameters.join(', ') || '(none)' : '... (any)'),
        h('td', {}, h('a', { href: libraryHash(b.libraryNs, b.library) }, b.library), ' ',
          h('span', { class: b.libraryNs.global ? 'badge global' : 'badge' }, namespaceLabel(b.libraryNs))),
        h('td', {}, h('code', {}, b.object)),
        h('td', {}, b.broken
          ? h('span', { class: 'status-broken', title: b.brokenReason || '' }, '⚠ Broken: ', b.brokenReason || '')
          : h('span', { class: 'status-ok' }, 'OK')),
        h('td', { class: 'actions' }, manage ? h('button', {
          type: 'button', class: 'danger drop-binding', 'aria-label': `Drop ${b.qualified}`,
          onclick: () => drop(b),
        }, 'Drop') : null)));
    }
    if (!rows.length) {
      append(body, h('tr', {}, h('td', { colspan: 6, class: 'empty' },
        bindings.length ? 'No SQL++ function matches.' : 'No SQL++ functions yet.')));
    }
    const broken = bindings.filter((b) => b.broken).length;
    summary.textContent = `${rows.length} of ${bindings.length} SQL++ functions`
      + (broken ? `; ${broken} broken` : '');
  }

  async function drop(b) {
    const dropped = await ctx.dialog({
      title: 'Drop SQL++ function',
      body: h('p', {}, 'Drop ', h('code', {}, b.qualified), '? Queries calling it will fail; the library stays.'),
      okLabel: 'Drop',
      danger: true,
      onSubmit: () => api.query(`DROP FUNCTION ${dropName(b)}`),
    });
    if (dropped) {
      ctx.message(`SQL++ function ${b.qualified} dropped.`, 'success');
      await load();
    }
  }

  async function load() {
    try {
      const response = await api.query('SELECT * FROM system:functions');
      bindings = response.results.map((row) => binding(row.functions))
        .sort((a, b) => a.qualified.localeCompare(b.qualified));
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 401) bindings = [];
      ctx.fail(e, 'The SQL++ functions cannot be listed');
    }
    draw();
  }

  filter.addEventListener('input', draw);
  if (createButton) {
    createButton.addEventListener('click', async () => {
      if (await bindingDialog(ctx)) await load();
    });
  }
  await load();
  return {};
}

function dropName(b) {
  return b.ns.global ? `default:${backQuote(b.name)}`
    : `default:${backQuote(b.ns.bucket)}.${backQuote(b.ns.scope)}.${backQuote(b.name)}`;
}
