// The page's own language: the one the listener chose on this device before (localStorage), else
// the first of the browser's languages (navigator.languages) the page is translated into, else
// English. The header's select switches it live; each option is named in its own language, so
// that a listener finds theirs whatever the page speaks now.
import { onUiLanguageChange, ownName, preferredUiLanguage, setUiLanguage, UI_LANGUAGES } from "./i18n.js";

const KEY = "pentecost.pageLanguage";

function remembered() {
  try {
    const code = localStorage.getItem(KEY);
    return UI_LANGUAGES.includes(code) ? code : null;
  } catch (e) {
    return null; // storage blocked (private mode, policies): the browser's language then
  }
}

function remember(code) {
  try {
    localStorage.setItem(KEY, code);
  } catch (e) {
    // not remembered on this device; the switch still applies to this page
  }
}

function capitalise(text) {
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}

/** The language the page starts in. */
export function initialPageLanguage() {
  return remembered() || preferredUiLanguage();
}

/**
 * Sets the page's language (lang, dir, every data-i18n text) and wires the switcher; resolves
 * once the strings are loaded.
 */
export function startPageLanguage(select = document.getElementById("page-language")) {
  const code = initialPageLanguage();
  if (select) {
    for (const c of UI_LANGUAGES) {
      const option = document.createElement("option");
      option.value = c;
      option.lang = c;
      option.textContent = capitalise(ownName(c));
      select.append(option);
    }
    select.value = code;
    select.addEventListener("change", () => {
      remember(select.value);
      setUiLanguage(select.value);
    });
    onUiLanguageChange((c) => {
      select.value = c;
    });
  }
  return setUiLanguage(code);
}
