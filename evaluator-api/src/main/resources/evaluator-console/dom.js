// Small DOM helpers: elements are built with h(), never from HTML strings, so no server text is ever parsed as
// markup.

/**
 * h('button', { type: 'button', onclick: f, class: 'x', dataset: { id: 1 } }, 'text', child, ...)
 * Attributes whose value is false, null or undefined are left out; children may be strings, nodes or arrays.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'dataset') {
      Object.assign(element.dataset, value);
    } else if (name === 'class') {
      element.className = value;
    } else if (name === 'value') {
      element.value = value;
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  return append(element, ...children);
}

/** Append children as h() does: nodes, strings, nested arrays; null, undefined and false are left out. */
export function append(element, ...children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, ...child);
    else element.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

export function clear(element) {
  element.replaceChildren();
  return element;
}

export function byId(id) {
  return document.getElementById(id);
}

/** Bytes as people read them. */
export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** An ISO instant in the browser's locale, e.g. "31 Jan 2026, 12:34". */
export function formatTime(iso) {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso
    : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}
