// The console's shell: sign-in, the hash router, the message bar, the one dialog, and the unsaved-changes guard.

import { api, ApiError, signIn, signOut, signedIn } from './api.js';
import { append, byId, clear, h } from './dom.js';
import { Permissions } from './model.js';
import * as libraries from './libraries.js';
import * as editor from './editor.js';
import * as bindings from './bindings.js';
import * as calls from './calls.js';

const ROUTES = {
  '/libraries': libraries,
  '/library': editor,
  '/bindings': bindings,
  '/calls': calls,
};

let current = null; // the mounted view: { dirty(), dispose() } or nothing
let currentHash = '';

const ctx = {
  perms: null,
  message,
  clearMessage,
  fail,
  dialog,
  confirm,
  navigate(hash) {
    window.location.hash = hash;
  },
  /** Go to a page without the unsaved-changes guard (after a delete the view is gone); keeps the message. */
  replace(hash) {
    history.replaceState(null, '', hash);
    return route(true);
  },
  /** Give the current page another address without leaving it (a new library, once saved). */
  rename(hash) {
    history.replaceState(null, '', hash);
    currentHash = window.location.hash;
  },
};

// ---- messages ----

/** Show a message in the bar at the top; kind is 'error' (default), 'info' or 'success'. */
function message(content, kind = 'error') {
  const bar = byId('message');
  bar.className = `message ${kind}`;
  append(clear(byId('message-text')), ...(Array.isArray(content) ? content : [content]));
  bar.hidden = false;
}

function clearMessage() {
  byId('message').hidden = true;
  clear(byId('message-text'));
}

/** Report a failed call: a 401 ends the session, a 403 says what is missing, anything else says what failed. */
function fail(error, what) {
  if (error instanceof ApiError && error.status === 401 && signedIn()) {
    endSession('Your credentials are no longer accepted; sign in again.');
    return;
  }
  const prefix = what ? `${what}: ` : '';
  if (error instanceof ApiError && error.status === 403) {
    message(`Not allowed. ${prefix}${error.message}`);
  } else {
    message(prefix + (error.message || String(error)));
  }
}

// ---- the dialog ----

/**
 * Open the modal dialog. body is a node (or array of nodes); onSubmit runs on OK or Enter and may throw to keep
 * the dialog open with its message. Resolves true when submitted, false when cancelled (Cancel or Escape).
 */
function dialog({ title, body, okLabel = 'OK', danger = false, onSubmit = async () => {}, initialFocus }) {
  const element = byId('dialog');
  const form = byId('dialog-form');
  const ok = byId('dialog-ok');
  const error = byId('dialog-error');
  byId('dialog-title').textContent = title;
  append(clear(byId('dialog-body')), ...(Array.isArray(body) ? body : [body]));
  ok.textContent = okLabel;
  ok.className = danger ? 'danger' : '';
  ok.disabled = false;
  error.hidden = true;
  return new Promise((resolve) => {
    const finish = (result) => {
      form.removeEventListener('submit', submit);
      byId('dialog-cancel').removeEventListener('click', cancel);
      element.removeEventListener('cancel', escape);
      element.removeEventListener('click', follow);
      if (element.open) element.close();
      resolve(result);
    };
    const submit = async (event) => {
      event.preventDefault();
      ok.disabled = true;
      error.hidden = true;
      try {
        await onSubmit();
        finish(true);
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) {
          finish(false);
          fail(e);
          return;
        }
        append(clear(error), e.message || String(e));
        error.hidden = false;
        ok.disabled = false;
      }
    };
    const cancel = () => finish(false);
    // A link in the dialog (e.g. to a SQL++ function) leaves it: close it and let the link navigate.
    const follow = (event) => {
      if (event.target.closest('a[href^="#"]')) finish(false);
    };
    const escape = (event) => {
      event.preventDefault();
      finish(false);
    };
    form.addEventListener('submit', submit);
    byId('dialog-cancel').addEventListener('click', cancel);
    element.addEventListener('cancel', escape);
    element.addEventListener('click', follow);
    element.showModal();
    const focus = initialFocus ? element.querySelector(initialFocus) : element.querySelector('#dialog-body input, #dialog-body select, #dialog-body textarea');
    (focus || ok).focus();
  });
}

function confirm(title, text, okLabel = 'OK', danger = false) {
  return dialog({ title, body: h('p', {}, text), okLabel, danger });
}

// ---- session ----

async function start() {
  byId('sign-in-form').addEventListener('submit', submitSignIn);
  byId('sign-out').addEventListener('click', async () => {
    if (current && current.dirty && current.dirty()
      && !await confirm('Unsaved changes', 'Sign out and discard the unsaved changes?', 'Discard', true)) {
      return;
    }
    endSession('Signed out.', 'info');
  });
  byId('message-close').addEventListener('click', clearMessage);
  window.addEventListener('hashchange', onHashChange);
  window.addEventListener('beforeunload', (event) => {
    if (current && current.dirty && current.dirty()) {
      event.preventDefault();
      event.returnValue = '';
    }
  });
  if (signedIn()) {
    try {
      await enter(await api.whoami());
      return;
    } catch (e) {
      signOut();
    }
  }
  showSignIn();
}

function showSignIn() {
  unmount();
  byId('view').hidden = true;
  byId('nav').hidden = true;
  byId('account').hidden = true;
  byId('sign-in').hidden = false;
  byId('sign-in-password').value = '';
  byId('sign-in-user').focus();
}

async function submitSignIn(event) {
  event.preventDefault();
  const user = byId('sign-in-user').value.trim();
  const password = byId('sign-in-password').value;
  const error = byId('sign-in-error');
  error.hidden = true;
  if (!user || !password) {
    error.textContent = 'Enter your user name and password.';
    error.hidden = false;
    return;
  }
  byId('sign-in-submit').disabled = true;
  signIn(user, password);
  try {
    const whoami = await api.whoami();
    clearMessage();
    await enter(whoami);
  } catch (e) {
    signOut();
    error.textContent = e instanceof ApiError && e.status === 401 ? 'Wrong user name or password.' : e.message;
    error.hidden = false;
    byId('sign-in-password').value = '';
    byId('sign-in-password').focus();
  } finally {
    byId('sign-in-submit').disabled = false;
  }
}

async function enter(whoami) {
  ctx.perms = new Permissions(whoami);
  byId('sign-in').hidden = true;
  byId('nav').hidden = false;
  byId('account').hidden = false;
  byId('account-name').textContent = whoami.id;
  byId('view').hidden = false;
  if (!window.location.hash || window.location.hash === '#') {
    history.replaceState(null, '', '#/libraries');
  }
  await route();
}

function endSession(text, kind = 'error') {
  signOut();
  ctx.perms = null;
  showSignIn();
  message(text, kind);
}

// ---- routing ----

function parseHash() {
  const hash = window.location.hash.replace(/^#/, '') || '/libraries';
  const question = hash.indexOf('?');
  const path = question < 0 ? hash : hash.slice(0, question);
  const params = new URLSearchParams(question < 0 ? '' : hash.slice(question + 1));
  return { path, params };
}

async function onHashChange() {
  if (!ctx.perms) return;
  if (current && current.dirty && current.dirty()) {
    const target = window.location.hash;
    history.replaceState(null, '', currentHash);
    if (!await confirm('Unsaved changes', 'Leave this library and discard the unsaved changes?', 'Discard', true)) {
      return;
    }
    current.dirty = () => false;
    history.replaceState(null, '', target);
  }
  await route();
}

function unmount() {
  if (current && current.dispose) current.dispose();
  current = null;
}

async function route(keepMessage = false) {
  const { path, params } = parseHash();
  const view = ROUTES[path];
  unmount();
  if (!keepMessage) clearMessage();
  currentHash = window.location.hash;
  for (const link of document.querySelectorAll('#nav a')) {
    const section = path === '/bindings' || path === '/calls' ? path.slice(1) : 'libraries';
    const active = link.dataset.section === section;
    if (active) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  const container = clear(byId('view'));
  if (!view) {
    append(container, h('h1', {}, 'Not found'), h('p', {}, 'There is no such page. ',
      h('a', { href: '#/libraries' }, 'Go to the libraries')));
    return;
  }
  current = await view.render(container, ctx, params) || null;
}

start();
