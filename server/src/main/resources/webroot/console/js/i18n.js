// The page's own text in the listener's language. Every user-visible string goes through t(key,
// vars); the English text is in ../i18n/en.json, the other languages in ../i18n/<code>.json
// (the same keys; a key missing there falls back to English). Elements carry data-i18n="key"
// (their text), data-i18n-placeholder / data-i18n-aria-label / data-i18n-title (an attribute);
// applyI18n() fills them. Language names come from Intl.DisplayNames, in the page's language.

const RTL = new Set(["ar", "he", "fa", "ur"]);
const base = new URL("../i18n/", import.meta.url);
let strings = {}; // the page language's strings
let english = {}; // the fallback
let current = "en";
const listeners = [];

/** The languages the page itself is translated into (the 19 session languages). */
export const UI_LANGUAGES = [
  "en", "es", "fr", "de", "it", "pt", "ru", "ja", "ko", "zh",
  "ar", "hi", "nl", "pl", "tr", "sv", "da", "no", "fi",
];

async function load(code) {
  const response = await fetch(new URL(`${code}.json`, base));
  if (!response.ok) throw new Error(`no strings for ${code}`);
  return response.json();
}

/** The page language the browser prefers, among UI_LANGUAGES; English when none matches. */
export function preferredUiLanguage(tags = navigator.languages || [navigator.language]) {
  for (const tag of tags || []) {
    if (!tag) continue;
    const primary = tag.toLowerCase().split("-")[0];
    const code = primary === "nb" || primary === "nn" ? "no" : primary;
    if (UI_LANGUAGES.includes(code)) return code;
  }
  return "en";
}

/** Switches the page to code (loads its strings), sets lang and dir, re-applies the text. */
export async function setUiLanguage(code) {
  if (!UI_LANGUAGES.includes(code)) code = "en";
  if (!Object.keys(english).length) english = await load("en");
  strings = code === "en" ? english : await load(code).catch(() => english);
  current = code;
  document.documentElement.lang = code;
  document.documentElement.dir = RTL.has(code) ? "rtl" : "ltr";
  applyI18n();
  for (const f of listeners) f(code);
}

/** Calls f(code) after each change of the page language. */
export function onUiLanguageChange(f) {
  listeners.push(f);
}

/** The string for key, with {name} placeholders filled from vars. */
export function t(key, vars = {}) {
  const text = strings[key] ?? english[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/** A language's name in the page's language (e.g. "espagnol" on a French page). */
export function languageName(code, fallback = code) {
  try {
    const names = new Intl.DisplayNames([current], { type: "language" });
    return names.of(code) || fallback;
  } catch (e) {
    return fallback;
  }
}

/** A language's name in that language itself (e.g. "español"), for pickers. */
export function ownName(code, fallback = code) {
  try {
    const names = new Intl.DisplayNames([code], { type: "language" });
    return names.of(code) || fallback;
  } catch (e) {
    return fallback;
  }
}

const ATTRIBUTES = ["placeholder", "aria-label", "title"];

/** Fills every [data-i18n] element's text and [data-i18n-<attribute>] attribute under root. */
export function applyI18n(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) {
    el.textContent = t(el.dataset.i18n);
  }
  for (const attribute of ATTRIBUTES) {
    for (const el of root.querySelectorAll(`[data-i18n-${attribute}]`)) {
      el.setAttribute(attribute, t(el.getAttribute(`data-i18n-${attribute}`)));
    }
  }
}
