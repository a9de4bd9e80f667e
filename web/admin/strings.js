// The administration page's languages: its strings (one JSON file per
// language in admin/i18n/, apart from the other pages' sets), the API's texts
// in several languages, and dates and times in the office's time zone.

import { h } from '../termin.js';

export const LANGUAGES = ['pl', 'cs', 'en', 'uk'];
// Each language's name in itself: the same in every language, so not translated.
export const NATIVE = { pl: 'Polski', cs: 'Čeština', en: 'English', uk: 'Українська' };
const LOCALE = { pl: 'pl-PL', cs: 'cs-CZ', en: 'en-GB', uk: 'uk-UA' };

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
    const response = await fetch(`i18n/${l}.json`);
    if (!response.ok) throw new Error(`i18n/${l}.json: ${response.status}`);
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

/** A text in several languages as one string: the page's language, else the office's, else English, else any. */
export function pickText(texts) {
  for (const candidate of [current, ...officeLanguages, 'en', ...Object.keys(texts || {})]) {
    if (texts && candidate && texts[candidate]) return { text: texts[candidate], lang: candidate };
  }
  return { text: '', lang: current };
}

/** An element (default span) with a text in several languages, marked with its language when not the page's. */
export function local(texts, tag = 'span', attrs = {}) {
  const { text, lang: l } = pickText(texts);
  return h(tag, l === current ? attrs : { ...attrs, lang: l }, text);
}

/** An instant (RFC 3339) as date and time on the office's clock (`timeZone`). */
export function instant(iso, timeZone) {
  return new Intl.DateTimeFormat(LOCALE[current], { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}

/** A calendar date (YYYY-MM-DD), which has no time zone of its own. */
export function day(ymd, dateStyle = 'full') {
  const [y, m, d] = ymd.split('-').map(Number);
  return new Intl.DateTimeFormat(LOCALE[current], { dateStyle, timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d, 12)));
}

/** Today's date (YYYY-MM-DD) on the office's clock, `days` later. */
export function officeToday(timeZone, days = 0) {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const [y, m, d] = today.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}
