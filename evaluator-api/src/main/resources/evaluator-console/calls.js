// Running calls: every function call running or waiting for a worker that the user may see, refreshed every two
// seconds, with a Stop button where the user may stop it (admin, or the manage role of the call's namespace).

import { api } from './api.js';
import { append, clear, formatTime, h } from './dom.js';
import { libraryNamespace, namespaceLabel } from './model.js';
import { libraryHash } from './libraries.js';

const REFRESH_MS = 2000;

/** Seconds as people read them: 850 ms, 12.3 s, 4 min 5 s. */
function formatElapsed(ms) {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60000)} min ${Math.floor((ms % 60000) / 1000)} s`;
}

export async function render(container, ctx) {
  const body = h('tbody');
  const summary = h('p', { class: 'summary', id: 'calls-summary', 'aria-live': 'polite' });
  const refreshButton = h('button', { type: 'button', id: 'calls-refresh', class: 'secondary' }, 'Refresh');
  append(container,
    h('div', { class: 'page-head' }, h('h1', {}, 'Running calls'), refreshButton),
    h('p', { class: 'hint' }, 'Function calls running or waiting for a JavaScript worker, from the invoke endpoint '
      + 'and from SQL++. The list refreshes every two seconds.'),
    summary,
    h('div', { class: 'table-wrap' }, h('table', { id: 'calls-table', class: 'data' },
      h('caption', { class: 'visually-hidden' }, 'Running and queued function calls'),
      h('thead', {}, h('tr', {},
        h('th', { scope: 'col' }, 'Function'),
        h('th', { scope: 'col' }, 'Library'),
        h('th', { scope: 'col' }, 'User'),
        h('th', { scope: 'col' }, 'From'),
        h('th', { scope: 'col' }, 'State'),
        h('th', { scope: 'col' }, 'Started'),
        h('th', { scope: 'col', class: 'numeric' }, 'Elapsed'),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Actions')))),
      body)));

  let disposed = false;
  let timer = null;

  function draw(calls) {
    clear(body);
    for (const call of calls) {
      const ns = libraryNamespace(call);
      append(body, h('tr', { dataset: { call: String(call.id) }, class: `call ${call.state}` },
        h('th', { scope: 'row' }, h('code', {}, call.function)),
        h('td', {}, h('a', { href: libraryHash(ns, call.library) }, call.library), ' ',
          h('span', { class: ns.global ? 'badge global' : 'badge' }, namespaceLabel(ns))),
        h('td', {}, call.user),
        h('td', {}, call.entryPoint === 'query' ? 'SQL++' : 'invoke'),
        h('td', { class: 'call-state' }, call.state),
        h('td', {}, call.started ? formatTime(call.started) : ''),
        h('td', { class: 'numeric' }, formatElapsed(call.elapsedMs)),
        h('td', { class: 'actions' }, ctx.perms.canManage(ns) ? h('button', {
          type: 'button', class: 'danger stop-call', 'aria-label': `Stop call ${call.id} of ${call.function}`,
          onclick: () => stop(call, ns),
        }, 'Stop') : null)));
    }
    if (!calls.length) {
      append(body, h('tr', {}, h('td', { colspan: 8, class: 'empty' }, 'No calls are running.')));
    }
    const running = calls.filter((c) => c.state === 'running').length;
    summary.textContent = `${running} running, ${calls.length - running} waiting`;
  }

  async function refresh() {
    clearTimeout(timer);
    try {
      const calls = await api.calls();
      if (disposed) return;
      draw(calls);
    } catch (e) {
      if (disposed) return;
      ctx.fail(e, 'The running calls cannot be listed');
    }
    if (!disposed) timer = setTimeout(refresh, REFRESH_MS);
  }

  async function stop(call, ns) {
    const stopped = await ctx.dialog({
      title: 'Stop call',
      body: h('p', {}, 'Stop the call of ', h('code', {}, call.function), ' in library ', h('strong', {}, call.library),
        ` (${namespaceLabel(ns)}) by ${call.user}? Its caller gets a call_cancelled error.`),
      okLabel: 'Stop',
      danger: true,
      onSubmit: () => api.stopCall(call.id),
    });
    if (stopped) {
      ctx.message(`The call of ${call.function} was stopped.`, 'success');
      await refresh();
    }
  }

  refreshButton.addEventListener('click', refresh);
  await refresh();
  return {
    dispose() {
      disposed = true;
      clearTimeout(timer);
    },
  };
}
