// What the hall's board (board.html) and the clerk's desk screen (desk.html)
// share: their strings (one JSON file per language in queue-i18n/, apart from
// the citizen pages' i18n/), the API's texts in several languages, and times
// of day. The citizen pages' queue view (queue.html) uses termin.js instead.

import { h } from './termin.js';

export const LANGUAGES = ['pl', 'cs', 'en', 'uk'];
// Each language's name in itself: the same in every language, so not translated.
export const NATIVE = { pl: 'Polski', cs: 'Čeština', en: 'English', uk: 'Українська' };

let strings = {};
let current = null;
let officeLanguages = [];

/** The string for `key` in the current language, with `{name}` filled from `vars`. */
export function t(key, vars = {}) {
  const s = strings[key];
  if (s === undefined) {
    console.warn(`missing string ${key}`);
    return key;
  }
  return s.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

export const lang = () => current;

/** The first of `candidates` that is one of the four languages, else Polish. */
export function supported(...candidates) {
  return candidates.find((l) => LANGUAGES.includes(l)) || 'pl';
}

/**
 * Loads `l`'s strings (unless they are the current ones), marks the page as
 * written in it, and fills `data-i18n` (text) and `data-i18n-label`
 * (aria-label) elements.
 */
export async function useLanguage(l) {
  if (l !== current) {
    const response = await fetch(`queue-i18n/${l}.json`);
    if (!response.ok) throw new Error(`queue-i18n/${l}.json: ${response.status}`);
    strings = await response.json();
    current = l;
  }
  document.documentElement.lang = l;
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-label]')) el.setAttribute('aria-label', t(el.dataset.i18nLabel));
}

/** The office's languages, default first: the fallbacks for the API's texts. */
export function setOfficeLanguages(languages) {
  officeLanguages = Array.isArray(languages) ? languages : [];
}

/**
 * An element (default span) with a text the API gives in several languages
 * (`{ "pl": …, "en": … }`): the page's language, else the office's, else
 * English, else any; marked with its language when it is not the page's.
 */
export function local(texts, tag = 'span', attrs = {}) {
  let text = '';
  let l = current;
  for (const candidate of [current, ...officeLanguages, 'en', ...Object.keys(texts || {})]) {
    if (texts && candidate && texts[candidate]) {
      text = texts[candidate];
      l = candidate;
      break;
    }
  }
  return h(tag, l === current ? attrs : { ...attrs, lang: l }, text);
}

/**
 * The time of day of an RFC 3339 instant as the API writes it, in the
 * office's own offset ("2026-12-02T09:14:00+01:00" → "09:14"): the office's
 * wall clock, whatever the zone of the screen showing it.
 */
export function clockTime(iso) {
  const m = /T(\d{2}:\d{2})/.exec(iso || '');
  return m ? m[1] : '';
}
