// The editor's History panel and its conflict view: the library's versions (time, user, message), a side-by-side
// diff of any two (CodeMirror's merge addon, with diff-match-patch from its WebJar), roll back with a
// confirmation, and, when a save meets a 412, what changed meanwhile instead of an overwrite.

import { api, ApiError } from './api.js';
import { append, clear, formatTime, h } from './dom.js';

/** A side-by-side, read-only diff of two texts into a host element; left is the old, right the new. */
export function mergeView(host, left, right) {
  clear(host);
  return window.CodeMirror.MergeView(host, {
    value: left,
    orig: right,
    origLeft: null,
    mode: 'javascript',
    lineNumbers: true,
    readOnly: true,
    revertButtons: false,
    connect: 'align',
    collapseIdentical: false,
  });
}

/**
 * The History panel. options: ctx, ns, name, manage, etag() (the ETag the editor holds), onRolledBack(code, etag).
 * Returns { element, diffPanel, refresh }.
 */
export function historyPanel(options) {
  const { ctx, ns, name, manage } = options;
  const list = h('ol', { id: 'history-list', class: 'history' });
  const from = h('select', { id: 'history-from', 'aria-label': 'Old version' });
  const to = h('select', { id: 'history-to', 'aria-label': 'New version' });
  const compare = h('button', { type: 'button', id: 'history-compare', class: 'secondary' }, 'Show diff');
  const diffHost = h('div', { id: 'history-diff-view', class: 'merge-host' });
  const diffTitle = h('h2', { id: 'history-diff-title' }, 'Diff');
  const diffPanel = h('section', { id: 'history-diff', class: 'panel', hidden: true, 'aria-labelledby': 'history-diff-title' },
    diffTitle, diffHost,
    h('button', { type: 'button', class: 'secondary', onclick: () => { diffPanel.hidden = true; } }, 'Close diff'));
  const element = h('section', { class: 'panel', id: 'history-panel', 'aria-labelledby': 'history-title' },
    h('h2', { id: 'history-title' }, 'History'), list,
    h('div', { class: 'history-compare' }, from, h('span', {}, ' → '), to, compare));

  let versions = [];

  async function refresh() {
    let body;
    try {
      body = await api.versions(ns, name);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        versions = [];
      } else {
        append(clear(list), h('li', { class: 'form-error' }, e.message));
        return;
      }
    }
    versions = body ? body.versions : [];
    clear(list);
    if (!versions.length) append(list, h('li', { class: 'hint' }, 'No versions yet: save the library.'));
    append(list, versions.map((v, i) => h('li', { dataset: { version: String(v.version) } },
      h('div', {}, h('strong', {}, `v${v.version}`), i === 0 ? h('span', { class: 'badge' }, 'current') : null,
        ' ', h('span', { class: 'hint' }, `${formatTime(v.created)} · ${v.user}`)),
      v.message ? h('p', { class: 'doc' }, v.message) : null,
      manage && i > 0 ? h('button', {
        type: 'button', class: 'secondary rollback', 'aria-label': `Roll back to version ${v.version}`,
        onclick: () => rollback(v.version),
      }, `Roll back to v${v.version}`) : null)));
    const choices = () => versions.map((v) => h('option', { value: String(v.version) }, `v${v.version}`));
    append(clear(from), choices());
    append(clear(to), choices());
    if (versions.length > 1) from.value = String(versions[1].version);
    if (versions.length) to.value = String(versions[0].version);
    compare.disabled = versions.length < 2;
  }

  async function showDiff(a, b) {
    try {
      const [left, right] = await Promise.all([api.version(ns, name, a), api.version(ns, name, b)]);
      diffTitle.textContent = `Diff: v${a} (left) → v${b} (right)`;
      diffPanel.hidden = false;
      mergeView(diffHost, left.code, right.code);
      diffPanel.scrollIntoView({ block: 'nearest' });
    } catch (e) {
      ctx.fail(e, 'The versions cannot be compared');
    }
  }

  async function rollback(n) {
    const ok = await ctx.confirm(`Roll back to version ${n}?`,
      `This makes a new version of ${name} with the code of version ${n}; no version is lost.`, 'Roll back', true);
    if (!ok) return;
    try {
      await api.rollback(ns, name, n, options.etag());
      const now = await api.readLibrary(ns, name);
      await options.onRolledBack(now.code, now.etag);
      ctx.message(`Rolled ${name} back to version ${n}.`, 'success');
      await refresh();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'precondition_failed') {
        ctx.fail(e, 'Not rolled back: the library was changed meanwhile; reload it first');
      } else if (e instanceof ApiError && e.code === 'binding_broken') {
        ctx.fail(e, `Not rolled back: version ${n} would break SQL++ functions bound to this library`);
      } else {
        ctx.fail(e, 'Not rolled back');
      }
    }
  }

  compare.addEventListener('click', () => showDiff(Number(from.value), Number(to.value)));
  return { element, diffPanel, refresh };
}

/**
 * After a 412 on save: show the server's code beside the editor's, and let the user take theirs or save over it.
 * options: host (where the panel goes), mine (the editor's code), onTakeTheirs(code, etag), onSaveMine(etag).
 */
export async function showConflict(ctx, ns, name, options) {
  let current;
  try {
    current = await api.readLibrary(ns, name);
  } catch (e) {
    ctx.fail(e, 'The library was changed meanwhile and cannot be read now');
    return;
  }
  let latest = null;
  try {
    latest = (await api.versions(ns, name)).versions[0] || null;
  } catch (e) {
    latest = null;
  }
  const view = h('div', { id: 'conflict-view', class: 'merge-host' });
  const panel = h('section', { id: 'conflict', class: 'panel conflict', role: 'alert', 'aria-labelledby': 'conflict-title' },
    h('h2', { id: 'conflict-title' }, 'Changed meanwhile: not saved'),
    h('p', {}, 'Someone saved this library after you opened it',
      latest ? ` (now version ${latest.version}, by ${latest.user}, ${formatTime(latest.created)})` : '',
      '. Left: your code. Right: the code on the server.'),
    view,
    h('div', { class: 'buttons' },
      h('button', {
        type: 'button', id: 'conflict-take-theirs', class: 'secondary',
        onclick: async () => {
          panel.remove();
          await options.onTakeTheirs(current.code, current.etag);
        },
      }, 'Take theirs (drop my changes)'),
      h('button', {
        type: 'button', id: 'conflict-save-mine', class: 'danger',
        onclick: async () => {
          panel.remove();
          await options.onSaveMine(current.etag);
        },
      }, 'Save mine over theirs')));
  const old = document.getElementById('conflict');
  if (old) old.remove();
  append(options.host, panel);
  mergeView(view, options.mine, current.code);
  panel.scrollIntoView({ block: 'nearest' });
}
