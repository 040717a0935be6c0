// The libraries page: a namespace picker, a sortable and filterable table, create and delete. The table is loaded a
// page at a time (PAGE libraries): a server with a few libraries sends them all at once and the filter, the sort and
// the picker work on them in the page; with more, "Load more" fetches the next page, and the filter and a scoped
// namespace are also asked of the server, so that what is not loaded yet is found too.

import { api, ApiError } from './api.js';
import { append, clear, formatBytes, formatTime, h } from './dom.js';
import { GLOBAL, libraryNamespace, namespaceLabel, namespaceOf } from './model.js';

/** Libraries fetched at once. */
export const PAGE = 500;
/** How long the filter waits for more typing before it asks the server. */
const FILTER_DELAY_MS = 250;

const COLUMNS = [
  { key: 'name', label: 'Name', value: (l) => l.name.toLowerCase() },
  { key: 'namespace', label: 'Namespace', value: (l) => namespaceLabel(libraryNamespace(l)).toLowerCase() },
  { key: 'size', label: 'Size', value: (l) => l.size, numeric: true },
  { key: 'functionCount', label: 'Functions', value: (l) => l.functionCount, numeric: true },
  { key: 'modified', label: 'Last modified', value: (l) => l.modified },
];

/** The hash of a library's editor page. */
export function libraryHash(ns, name, isNew = false) {
  const params = new URLSearchParams({ ns: ns.key, name });
  if (isNew) params.set('new', '1');
  return `#/library?${params}`;
}

/** Links to the bindings page, one per SQL++ function, filtered on it. */
export function functionLinks(names) {
  return h('ul', { class: 'function-links' }, names.map((name) => h('li', {},
    h('a', { href: `#/bindings?${new URLSearchParams({ q: name })}`, class: 'function-link' }, name))));
}

/**
 * Delete a library after confirmation. A 409 library_in_use is shown with the SQL++ functions that use it, each a
 * link to the bindings page filtered on it. Resolves true when deleted.
 */
export async function deleteLibrary(ctx, ns, name) {
  let inUse = null;
  const confirmed = await ctx.dialog({
    title: 'Delete library',
    body: h('p', {}, 'Delete library ', h('strong', {}, name), ` (${namespaceLabel(ns)})? This cannot be undone.`),
    okLabel: 'Delete',
    danger: true,
    onSubmit: async () => {
      try {
        await api.deleteLibrary(ns, name);
      } catch (e) {
        if (e instanceof ApiError && e.code === 'library_in_use') {
          inUse = e;
          return;
        }
        throw e;
      }
    },
  });
  if (!confirmed) return false;
  if (inUse) {
    const functions = inUse.body.functions || [];
    ctx.message([h('p', { class: 'in-use' }, `Library ${name} cannot be deleted: `
      + `${functions.length} SQL++ function${functions.length === 1 ? ' uses' : 's use'} it. `
      + 'Drop them first:'), functionLinks(functions)]);
    return false;
  }
  ctx.message(`Library ${name} (${namespaceLabel(ns)}) deleted.`, 'success');
  return true;
}

/** Ask for a namespace and a name, then open the editor on the new library (saved by the first save). */
export async function newLibrary(ctx, knownNamespaces, existing, initialNamespace) {
  const manageable = knownNamespaces.filter((ns) => ctx.perms.canManage(ns));
  const nsInput = h('input', {
    id: 'new-library-namespace', list: 'new-library-namespaces', autocomplete: 'off', required: true,
    value: initialNamespace && ctx.perms.canManage(initialNamespace) ? namespaceLabel(initialNamespace)
      : manageable.length ? namespaceLabel(manageable[0]) : '',
    'aria-describedby': 'new-library-namespace-hint',
  });
  const nameInput = h('input', {
    id: 'new-library-name', required: true, autocomplete: 'off', maxlength: 100,
    'aria-describedby': 'new-library-name-hint',
  });
  let target = null;
  const created = await ctx.dialog({
    title: 'New library',
    okLabel: 'Create',
    initialFocus: '#new-library-name',
    body: [
      h('label', { for: 'new-library-namespace' }, 'Namespace'),
      nsInput,
      h('datalist', { id: 'new-library-namespaces' }, manageable.map((ns) => h('option', { value: namespaceLabel(ns) }))),
      h('p', { class: 'hint', id: 'new-library-namespace-hint' }, '"global", or bucket.scope for a scoped library.'),
      h('label', { for: 'new-library-name' }, 'Name'),
      nameInput,
      h('p', { class: 'hint', id: 'new-library-name-hint' },
        'Letters, digits, _ and -, starting with a letter or digit.'),
    ],
    onSubmit: async () => {
      const ns = namespaceOf(nsInput.value);
      const name = nameInput.value.trim();
      if (!ns) throw new Error('The namespace must be "global" or bucket.scope.');
      if (!ctx.perms.canManage(ns)) throw new Error(`You may not create libraries in ${namespaceLabel(ns)}.`);
      if (!name) throw new Error('Give the library a name.');
      if (existing.some((l) => l.name === name && libraryNamespace(l).key === ns.key)) {
        throw new Error(`Library ${name} already exists in ${namespaceLabel(ns)}.`);
      }
      // The server owns the name rule: a name it refuses comes back as its invalid_name message.
      try {
        await api.library(ns, name);
        throw new Error(`Library ${name} already exists in ${namespaceLabel(ns)}.`);
      } catch (e) {
        if (!(e instanceof ApiError) || e.status !== 404) throw e;
      }
      target = libraryHash(ns, name, true);
    },
  });
  if (created) ctx.navigate(target);
}

export async function render(container, ctx, params) {
  const state = {
    libraries: [],
    /** The cursor of the next page on the server, null when everything matching is loaded. */
    next: null,
    /** What the loaded pages were asked with: a filter or namespace the server applied. */
    asked: { q: '', ns: null },
    /** Bumped by each load, so that the answer of an older one is dropped. */
    generation: 0,
    namespace: params.get('ns') === null ? null : namespaceOf(params.get('ns')),
    filter: params.get('q') || '',
    sort: 'name',
    ascending: true,
  };
  const picker = h('select', { id: 'namespace-picker' });
  const filter = h('input', { id: 'library-filter', type: 'search', value: state.filter, placeholder: 'name or namespace' });
  const createButton = ctx.perms.managesAny
    ? h('button', { type: 'button', id: 'new-library' }, 'New library') : null;
  const tableBody = h('tbody');
  const headRow = h('tr');
  const summary = h('p', { class: 'summary', id: 'library-summary', 'aria-live': 'polite' });
  const more = h('button', { type: 'button', id: 'load-more', class: 'secondary', hidden: true }, 'Load more');
  append(container,
    h('div', { class: 'page-head' }, h('h1', {}, 'Libraries'), createButton),
    h('div', { class: 'toolbar' },
      h('div', { class: 'field' }, h('label', { for: 'namespace-picker' }, 'Namespace'), picker),
      h('div', { class: 'field grow' }, h('label', { for: 'library-filter' }, 'Filter'), filter)),
    summary,
    h('div', { class: 'table-wrap' }, h('table', { id: 'libraries-table', class: 'data' },
      h('caption', { class: 'visually-hidden' }, 'Libraries; column headers sort the table'),
      h('thead', {}, headRow), tableBody)),
    more);

  for (const column of COLUMNS) {
    const button = h('button', { type: 'button', class: 'sort', dataset: { sort: column.key } }, column.label);
    button.addEventListener('click', () => {
      state.ascending = state.sort === column.key ? !state.ascending : true;
      state.sort = column.key;
      draw();
    });
    append(headRow, h('th', { scope: 'col', class: column.numeric ? 'numeric' : '', dataset: { column: column.key } },
      button));
  }
  append(headRow, h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')));

  function namespaces() {
    const byKey = new Map([[GLOBAL.key, GLOBAL]]);
    for (const library of state.libraries) {
      const ns = libraryNamespace(library);
      byKey.set(ns.key, ns);
    }
    for (const ns of ctx.perms.namedScopes()) byKey.set(ns.key, ns);
    return [...byKey.values()].sort((a, b) => (a.global ? -1 : b.global ? 1 : a.key.localeCompare(b.key)));
  }

  function drawPicker() {
    const selected = state.namespace ? state.namespace.key : '*';
    append(clear(picker), h('option', { value: '*' }, 'All namespaces'),
      namespaces().map((ns) => h('option', { value: ns.key }, namespaceLabel(ns))));
    picker.value = selected;
    if (picker.value !== selected) {
      append(picker, h('option', { value: state.namespace.key }, namespaceLabel(state.namespace)));
      picker.value = selected;
    }
  }

  function draw() {
    const text = state.filter.trim().toLowerCase();
    const column = COLUMNS.find((c) => c.key === state.sort);
    const rows = state.libraries
      .filter((l) => !state.namespace || libraryNamespace(l).key === state.namespace.key)
      .filter((l) => !text || l.name.toLowerCase().includes(text)
        || namespaceLabel(libraryNamespace(l)).toLowerCase().includes(text))
      .sort((a, b) => {
        const x = column.value(a);
        const y = column.value(b);
        const order = column.numeric ? x - y : String(x).localeCompare(String(y));
        return (state.ascending ? order : -order) || a.name.localeCompare(b.name);
      });
    for (const th of headRow.querySelectorAll('th[data-column]')) {
      th.setAttribute('aria-sort', th.dataset.column === state.sort
        ? (state.ascending ? 'ascending' : 'descending') : 'none');
    }
    clear(tableBody);
    for (const library of rows) {
      const ns = libraryNamespace(library);
      const hash = libraryHash(ns, library.name);
      const manage = ctx.perms.canManage(ns);
      append(tableBody, h('tr', { dataset: { library: library.name, namespace: namespaceLabel(ns) } },
        h('th', { scope: 'row' }, h('a', { href: hash, class: 'library-link' }, library.name)),
        h('td', {}, h('span', { class: ns.global ? 'badge global' : 'badge' }, namespaceLabel(ns))),
        h('td', { class: 'numeric' }, formatBytes(library.size)),
        h('td', { class: 'numeric' }, String(library.functionCount)),
        h('td', {}, h('time', { datetime: library.modified }, formatTime(library.modified))),
        h('td', { class: 'actions' },
          h('a', { href: hash, class: 'button secondary', 'aria-label': `${manage ? 'Edit' : 'View'} ${library.name}` },
            manage ? 'Edit' : 'View'),
          manage ? h('button', {
            type: 'button', class: 'danger delete-library', 'aria-label': `Delete ${library.name}`,
            onclick: async () => {
              if (await deleteLibrary(ctx, ns, library.name)) await load();
            },
          }, 'Delete') : null)));
    }
    if (!rows.length) {
      append(tableBody, h('tr', {}, h('td', { colspan: COLUMNS.length + 1, class: 'empty' },
        state.libraries.length ? 'No library matches.' : 'No libraries yet.')));
    }
    summary.textContent = state.next
      ? `${rows.length} of the first ${state.libraries.length} libraries (more on the server)`
      : `${rows.length} of ${state.libraries.length} libraries`;
    more.hidden = !state.next;
  }

  /** Fetch the first page again (append = false) or the next one, for the filter and namespace asked. */
  async function load(append = false) {
    const generation = ++state.generation;
    // The server filters as the table does (name or namespace, case-insensitive), so asking it never hides a row.
    const asked = append ? state.asked
      : { q: serverQuery(), ns: state.namespace && !state.namespace.global ? state.namespace : null };
    let page;
    try {
      page = await api.libraryPage({ limit: PAGE, cursor: append ? state.next : undefined, q: asked.q, ns: asked.ns });
    } catch (e) {
      if (generation !== state.generation) return;
      ctx.fail(e, 'The libraries cannot be listed');
      page = { libraries: [] };
    }
    if (generation !== state.generation) return;
    state.asked = asked;
    state.libraries = append ? state.libraries.concat(page.libraries) : page.libraries;
    state.next = page.next || null;
    drawPicker();
    draw();
  }

  /** The filter as the server's q: the text, trimmed. */
  function serverQuery() {
    return state.filter.trim();
  }

  /** Whether what is loaded may miss libraries that the current filter and namespace would show. */
  function partial() {
    const ns = state.namespace && !state.namespace.global ? state.namespace : null;
    const wider = (state.asked.q && !serverQuery().toLowerCase().includes(state.asked.q.toLowerCase()))
      || (state.asked.ns && (!ns || ns.key !== state.asked.ns.key));
    return Boolean(state.next || wider);
  }

  let pending = null;
  function reloadSoon() {
    clearTimeout(pending);
    pending = setTimeout(() => {
      pending = null;
      load();
    }, FILTER_DELAY_MS);
  }

  picker.addEventListener('change', () => {
    state.namespace = picker.value === '*' ? null : namespaceOf(picker.value);
    draw();
    if (partial()) load();
  });
  filter.addEventListener('input', () => {
    state.filter = filter.value;
    draw();
    if (partial()) reloadSoon();
  });
  more.addEventListener('click', () => load(true));
  if (createButton) {
    createButton.addEventListener('click', () => newLibrary(ctx, namespaces(), state.libraries, state.namespace));
  }
  await load();
  return {};
}

