// A library's page: the code in CodeMirror (JavaScript highlighting, line numbers, bracket matching), save with
// syntax errors marked at their line and column, the functions the library defines, a panel to run them, and its
// history. Saves carry If-Match with the ETag the page loaded, so a save never overwrites someone else's unseen.

import { api, ApiError } from './api.js';
import { append, clear, h } from './dom.js';
import { namespaceLabel, namespaceOf } from './model.js';
import { deleteLibrary, functionLinks, libraryHash } from './libraries.js';
import { bindingDialog } from './bindings.js';
import { historyPanel, showConflict } from './history.js';

const ERROR_GUTTER = 'cm-error-gutter';

function template(name) {
  return `// Library ${name}. Its top-level functions can be run here and bound as SQL++ functions.

/** Greets someone. */
function hello(who) {
  return 'Hello, ' + who + '!';
}
`;
}

export async function render(container, ctx, params) {
  const ns = namespaceOf(params.get('ns'));
  const name = params.get('name') || '';
  let isNew = params.get('new') === '1';
  if (!ns || !name) {
    append(container, h('h1', {}, 'No such library'), h('p', {}, h('a', { href: '#/libraries' }, 'Back to the libraries')));
    return {};
  }
  const manage = ctx.perms.canManage(ns);
  const execute = ctx.perms.canExecute(ns);

  let saved;
  // The ETag of the code the page holds as saved; null for a library not created yet.
  let etag = null;
  if (isNew) {
    saved = null;
  } else {
    try {
      const got = await api.readLibrary(ns, name);
      saved = got.code;
      etag = got.etag;
    } catch (e) {
      ctx.fail(e, `Library ${name} (${namespaceLabel(ns)}) cannot be opened`);
      append(container, h('h1', {}, name), h('p', {}, h('a', { href: '#/libraries' }, 'Back to the libraries')));
      return {};
    }
  }

  // ---- layout ----
  const dirtyBadge = h('span', { id: 'dirty-indicator', class: 'dirty', hidden: true }, 'Unsaved changes');
  const saveButton = manage ? h('button', { type: 'button', id: 'save-library' }, 'Save') : null;
  const deleteButton = manage && !isNew
    ? h('button', { type: 'button', id: 'delete-library', class: 'danger' }, 'Delete') : null;
  const host = h('div', { id: 'editor-host', class: 'editor-host' });
  const syntaxPanel = h('div', { id: 'syntax-error', class: 'error-panel', role: 'alert', hidden: true });
  const functionsList = h('div', { id: 'functions-list' });
  const runFunction = h('select', { id: 'run-function' });
  const runArgs = h('textarea', { id: 'run-args', rows: 3, spellcheck: 'false', 'aria-describedby': 'run-args-hint' }, '[]');
  const runButton = h('button', { type: 'submit', id: 'run-button' }, 'Run');
  const runOutput = h('div', { id: 'run-output', class: 'run-output', 'aria-live': 'polite' });
  const conflictHost = h('div', { id: 'conflict-host' });
  const history = historyPanel({
    ctx, ns, name, manage,
    etag: () => etag,
    onRolledBack: async (code, newTag) => {
      cm.setValue(code);
      saved = code;
      etag = newTag;
      markDirty();
      await loadFunctions();
    },
  });
  append(container,
    h('div', { class: 'page-head' },
      h('h1', {}, h('span', { id: 'library-name' }, name), ' ',
        h('span', { class: ns.global ? 'badge global' : 'badge' }, namespaceLabel(ns))),
      dirtyBadge,
      h('div', { class: 'buttons' }, saveButton, deleteButton,
        h('a', { href: '#/libraries', class: 'button secondary' }, 'Libraries'))),
    manage ? null : h('p', { class: 'hint', id: 'read-only-note' }, 'Read only: your roles do not let you change this library.'),
    h('div', { class: 'editor-layout' },
      h('div', { class: 'editor-main' },
        host,
        h('p', { class: 'hint' }, manage ? 'Ctrl+S (⌘S on a Mac) saves. Esc leaves the editor.' : 'Esc leaves the editor.'),
        syntaxPanel, conflictHost, history.diffPanel),
      h('aside', { class: 'editor-side' },
        h('section', { class: 'panel', 'aria-labelledby': 'functions-title' },
          h('h2', { id: 'functions-title' }, 'Functions'), functionsList),
        history.element,
        execute ? h('section', { class: 'panel', 'aria-labelledby': 'run-title' },
          h('h2', { id: 'run-title' }, 'Run'),
          h('form', { id: 'run-form', novalidate: true },
            h('label', { for: 'run-function' }, 'Function'), runFunction,
            h('label', { for: 'run-args' }, 'Arguments (a JSON array)'), runArgs,
            h('p', { class: 'hint', id: 'run-args-hint' }, 'For example [212] or ["a", {"b": 1}]. Runs the saved code.'),
            runButton),
          runOutput) : null)));

  // ---- the editor ----
  const cm = window.CodeMirror(host, {
    value: saved === null ? template(name) : saved,
    mode: 'javascript',
    lineNumbers: true,
    matchBrackets: true,
    indentUnit: 2,
    tabSize: 2,
    readOnly: manage ? false : true,
    screenReaderLabel: `Code of library ${name}`,
    gutters: [ERROR_GUTTER, 'CodeMirror-linenumbers'],
    extraKeys: {
      'Ctrl-S': () => save(),
      'Cmd-S': () => save(),
      Esc: () => (saveButton || runButton || document.querySelector('#nav a')).focus(),
    },
  });
  const isDirty = () => isNew || cm.getValue() !== saved;
  const markDirty = () => {
    dirtyBadge.hidden = !isDirty();
  };
  markDirty();

  let syntaxMarks = [];
  let runMarks = [];
  function clearMarks(marks) {
    for (const clearMark of marks) clearMark();
    return [];
  }

  /** Highlight a line: a class on the line, a marker in the gutter; returns how to undo both. */
  function markLine(line, lineClass, title) {
    const handle = cm.addLineClass(line, 'wrap', lineClass);
    cm.setGutterMarker(line, ERROR_GUTTER, h('span', { class: 'cm-error-marker', title }, '●'));
    return () => {
      cm.removeLineClass(handle, 'wrap', lineClass);
      cm.setGutterMarker(handle, ERROR_GUTTER, null);
    };
  }

  function showSyntaxError(line, column, text) {
    syntaxMarks = clearMarks(syntaxMarks);
    const index = Math.min(Math.max(line - 1, 0), cm.lineCount() - 1);
    const lineText = cm.getLine(index);
    const ch = Math.min(Math.max(column - 1, 0), lineText.length);
    syntaxMarks.push(markLine(index, 'cm-error-line', text));
    if (ch < lineText.length) {
      const mark = cm.markText({ line: index, ch }, { line: index, ch: ch + 1 }, { className: 'cm-error-mark' });
      syntaxMarks.push(() => mark.clear());
    } else {
      const bookmark = cm.setBookmark({ line: index, ch }, { widget: h('span', { class: 'cm-error-caret' }, '\u00a0') });
      syntaxMarks.push(() => bookmark.clear());
    }
    cm.scrollIntoView({ line: index, ch }, 80);
    syntaxPanel.dataset.line = String(line);
    syntaxPanel.dataset.column = String(column);
    append(clear(syntaxPanel), h('strong', {}, 'Not saved. '), text, ' ',
      h('button', {
        type: 'button', class: 'link', onclick: () => {
          cm.focus();
          cm.setCursor({ line: index, ch });
        },
      }, `Go to line ${line}`));
    syntaxPanel.hidden = false;
  }

  function clearSyntaxError() {
    syntaxMarks = clearMarks(syntaxMarks);
    syntaxPanel.hidden = true;
    clear(syntaxPanel);
  }

  cm.on('change', () => {
    markDirty();
    runMarks = clearMarks(runMarks);
  });

  // ---- save ----
  let saving = false;
  async function save(force = false) {
    if (!manage || saving) return;
    saving = true;
    const code = cm.getValue();
    if (saveButton) saveButton.disabled = true;
    try {
      etag = (await api.saveLibraryIfMatch(ns, name, code, force, etag)).etag;
      clearSyntaxError();
      saved = code;
      if (isNew) {
        isNew = false;
        ctx.rename(libraryHash(ns, name));
      }
      markDirty();
      ctx.message(`Saved ${name} (${namespaceLabel(ns)}).`, 'success');
      await loadFunctions();
      await history.refresh();
    } catch (e) {
      if (e instanceof ApiError && e.code === 'syntax_error') {
        ctx.clearMessage();
        showSyntaxError(e.body.line, e.body.column, e.message);
      } else if (e instanceof ApiError && e.code === 'binding_broken') {
        await offerForce(e);
      } else if (e instanceof ApiError && e.code === 'precondition_failed') {
        ctx.clearMessage();
        await showConflict(ctx, ns, name, {
          host: conflictHost,
          mine: code,
          onTakeTheirs: async (theirs, theirTag) => {
            cm.setValue(theirs);
            saved = theirs;
            etag = theirTag;
            isNew = false;
            markDirty();
            await loadFunctions();
            await history.refresh();
          },
          onSaveMine: async (theirTag) => {
            etag = theirTag;
            isNew = false;
            saving = false;
            await save(force);
          },
        });
      } else {
        ctx.fail(e, `${name} was not saved`);
      }
    } finally {
      saving = false;
      if (saveButton) saveButton.disabled = false;
    }
  }

  async function offerForce(error) {
    const forced = await ctx.dialog({
      title: 'Bound functions would break',
      body: [h('p', {}, error.message), functionLinks(error.body.functions || []),
        h('p', {}, 'Save anyway? Those SQL++ functions stay, reported as broken until the code defines them again.')],
      okLabel: 'Save anyway',
      danger: true,
    });
    if (forced) {
      saving = false;
      await save(true);
    }
  }

  // ---- functions ----
  let functions = [];
  async function loadFunctions() {
    if (isNew) {
      append(clear(functionsList), h('p', { class: 'hint' }, 'Save the library to see its functions.'));
      drawRunChoices();
      return;
    }
    let body;
    try {
      body = await api.functions(ns, name);
    } catch (e) {
      append(clear(functionsList), h('p', { class: 'form-error' }, e.message));
      return;
    }
    functions = body.functions;
    clear(functionsList);
    if (!functions.length) append(functionsList, h('p', { class: 'hint' }, 'No top-level functions.'));
    append(functionsList, h('ul', { class: 'functions' }, functions.map((fn) => h('li', { dataset: { function: fn.name } },
      h('div', { class: 'signature' },
        h('code', {}, `${fn.name}(${fn.parameters.join(', ')}${fn.variadic ? ' …' : ''})`), ' ',
        h('button', {
          type: 'button', class: 'link', 'aria-label': `Go to ${fn.name} on line ${fn.line}`,
          onclick: () => {
            cm.focus();
            cm.setCursor({ line: fn.line - 1, ch: 0 });
          },
        }, `line ${fn.line}`)),
      fn.doc ? h('p', { class: 'doc' }, fn.doc) : null,
      fn.boundBy.length ? h('div', { class: 'bound' }, 'Bound by:', functionLinks(fn.boundBy)) : null,
      h('div', { class: 'buttons' },
        execute ? h('button', {
          type: 'button', class: 'secondary run-this', 'aria-label': `Run ${fn.name}`,
          onclick: () => {
            runFunction.value = fn.name;
            prefillArgs(true);
            runArgs.focus();
          },
        }, 'Run') : null,
        manage ? h('button', {
          type: 'button', class: 'secondary bind-this', 'aria-label': `Bind ${fn.name} as a SQL++ function`,
          onclick: async () => {
            if (await bindingDialog(ctx, { ns, library: name, fn: fn.name })) await loadFunctions();
          },
        }, 'Bind as SQL++ function') : null)))));
    if (body.brokenBindings.length) {
      append(functionsList, h('div', { class: 'warning' },
        h('p', {}, 'SQL++ functions bound to functions this code no longer defines:'),
        functionLinks(body.brokenBindings.map((b) => b.function))));
    }
    drawRunChoices();
  }

  // ---- run ----
  let argsEdited = false;
  function drawRunChoices() {
    const previous = runFunction.value;
    append(clear(runFunction), functions.map((fn) => h('option', { value: fn.name }, fn.name)));
    if (functions.some((fn) => fn.name === previous)) runFunction.value = previous;
    runButton.disabled = !functions.length;
    prefillArgs(false);
  }

  function prefillArgs(force) {
    const fn = functions.find((f) => f.name === runFunction.value);
    if (!fn || (argsEdited && !force)) return;
    runArgs.value = `[${fn.parameters.map(() => 'null').join(', ')}]`;
    argsEdited = false;
  }

  async function run(event) {
    event.preventDefault();
    runMarks = clearMarks(runMarks);
    clear(runOutput);
    let args;
    try {
      args = JSON.parse(runArgs.value.trim() || '[]');
      if (!Array.isArray(args)) throw new Error('not an array');
    } catch (e) {
      append(runOutput, h('p', { class: 'form-error', id: 'run-error' }, 'The arguments must be a JSON array, e.g. [212].'));
      return;
    }
    const fn = runFunction.value;
    runButton.disabled = true;
    const started = performance.now();
    try {
      const body = await api.invoke(ns, name, fn, args);
      const roundTrip = performance.now() - started;
      append(runOutput,
        isDirty() ? h('p', { class: 'hint' }, 'Ran the saved code: your unsaved changes were not run.') : null,
        h('h3', {}, 'Result'),
        h('pre', { id: 'run-result', class: 'result' }, JSON.stringify(body.result, null, 2) ?? 'null'),
        consoleOutput(body.logs || [], body.logsDropped),
        h('p', { id: 'run-elapsed', class: 'elapsed' },
          `${fn} ran in ${body.elapsed} (${Math.round(roundTrip)} ms round trip)`));
    } catch (e) {
      showRunError(e, fn, performance.now() - started);
    } finally {
      runButton.disabled = !functions.length;
    }
  }

  function consoleOutput(logs, dropped) {
    return [h('h3', {}, 'Console'),
      logs.length ? h('ol', { id: 'run-console', class: 'console' }, logs.map((line) => h('li', { class: `log-${line.level}` },
        h('span', { class: 'level' }, line.level), ' ', line.message)))
        : h('p', { id: 'run-console', class: 'hint' }, 'No console output.'),
      dropped ? h('p', { class: 'hint' }, `${dropped} more line(s) dropped.`) : null];
  }

  function showRunError(e, fn, elapsed) {
    if (e instanceof ApiError && e.status === 401) {
      ctx.fail(e);
      return;
    }
    const error = e instanceof ApiError ? e.body.error : undefined;
    const details = error && error.reason && error.reason.details ? error.reason.details : {};
    const location = typeof details.Location === 'string' ? details.Location.match(/^(.*)\.js:(\d+)$/) : null;
    const parts = [h('p', { class: 'form-error', id: 'run-error' },
      e instanceof ApiError && e.status === 403 ? `Not allowed. ${e.message}` : e.message)];
    if (location && location[1] === name) {
      const line = Number(location[2]);
      if (line >= 1 && line <= cm.lineCount()) {
        runMarks.push(markLine(line - 1, 'cm-run-error-line', e.message));
        cm.scrollIntoView({ line: line - 1, ch: 0 }, 80);
        parts.push(h('p', { id: 'run-error-location', dataset: { line: String(line) } },
          h('button', {
            type: 'button', class: 'link', onclick: () => {
              cm.focus();
              cm.setCursor({ line: line - 1, ch: 0 });
            },
          }, `Line ${line}`), details.Code ? [': ', h('code', {}, details.Code.trim())] : null));
      }
    }
    if (details.Stack) parts.push(h('details', {}, h('summary', {}, 'Stack'), h('pre', {}, details.Stack)));
    if (e instanceof ApiError && Array.isArray(e.body.logs)) parts.push(consoleOutput(e.body.logs, 0));
    parts.push(h('p', { class: 'elapsed', id: 'run-elapsed' }, `${fn} failed after ${Math.round(elapsed)} ms`));
    append(runOutput, ...parts);
  }

  // ---- wiring ----
  // Ctrl/Cmd-S outside the editor too (the editor's own key map handles it inside and marks the event handled).
  const keydown = (event) => {
    if (!event.defaultPrevented && (event.ctrlKey || event.metaKey) && event.key.toLowerCase() === 's') {
      event.preventDefault();
      save();
    }
  };
  document.addEventListener('keydown', keydown);
  if (saveButton) saveButton.addEventListener('click', () => save());
  if (deleteButton) {
    deleteButton.addEventListener('click', async () => {
      if (isDirty() && !await ctx.confirm('Unsaved changes', 'Delete the library and lose the unsaved changes too?',
        'Continue', true)) {
        return;
      }
      if (await deleteLibrary(ctx, ns, name)) {
        saved = cm.getValue();
        await ctx.replace('#/libraries');
      }
    });
  }
  if (execute) {
    runArgs.addEventListener('input', () => {
      argsEdited = true;
    });
    runFunction.addEventListener('change', () => prefillArgs(false));
    container.querySelector('#run-form').addEventListener('submit', run);
  }
  await loadFunctions();
  await history.refresh();
  cm.refresh();
  if (manage) cm.focus();

  return {
    dirty: isDirty,
    dispose() {
      document.removeEventListener('keydown', keydown);
    },
  };
}
