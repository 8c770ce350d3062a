/**
 * A few DOM and formatting helpers. Everything a message carries (headers, payloads, error messages) is
 * text set through `textContent`, never HTML, so a hostile payload cannot script the console.
 */

/**
 * `h('td', { class: 'num', dataset: { testid: 'lag' } }, '3')`. Attributes: `class`, `dataset`, `on<event>`
 * handlers, booleans (`disabled: true`), anything else as an attribute. Children: nodes, strings, numbers;
 * null, undefined and false are skipped; arrays are flattened.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'dataset') {
      for (const [key, data] of Object.entries(value)) if (data !== undefined) element.dataset[key] = data;
    } else if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

/** Replaces an element's children. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** `2026-12-08 14:03:27Z` (UTC, seconds), or an em dash. The full ISO time is in the `title`. */
export function time(value) {
  if (value === undefined || value === null || value === '') return h('span', { class: 'muted' }, '—');
  const date = new Date(typeof value === 'number' ? value : String(value));
  if (Number.isNaN(date.getTime())) return String(value);
  const iso = date.toISOString();
  return h('time', { datetime: iso, title: iso }, `${iso.slice(0, 10)} ${iso.slice(11, 19)}Z`);
}

/** `0 s`, `42 s`, `3 min 12 s`, `2 h 5 min`, `3 d 4 h`. */
export function age(seconds) {
  const s = Math.floor(Number(seconds) || 0);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

/** An em dash for what a message does not carry. */
export const orDash = (value) =>
  value === undefined || value === null || value === '' ? h('span', { class: 'muted' }, '—') : String(value);

/** `n thing` / `n things`. */
export const count = (n, singular, plural = `${singular}s`) => `${n} ${n === 1 ? singular : plural}`;

/** A short status pill: `failed`, `redriven`, `quarantined`, `completed`… */
export const pill = (text, testid) => h('span', { class: `pill pill-${text}`, dataset: { testid } }, text);
