// The listener's audio-language picker. Each language is named in its own language ("Français",
// "العربية", "中文"), followed by its name in the page's language when that differs, e.g.
// "Français (French)" on an English page. Once connected, the server says which languages someone
// publishes (sessionJoined's liveLanguages, then liveLanguagesChanged): those come first under
// "Live now", the others under "Not live yet — you hear the original". Before that (no socket yet)
// the list is flat, the session's language first.
import { languageName, ownName, t } from "./i18n.js";

// Unicode isolates, so that a right-to-left name sits cleanly in a left-to-right line and back.
const isolate = (text) => `\u2068${text}\u2069`;

function capitalise(text) {
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}

/** A language as the picker names it: its own name, and the page language's when it differs. */
export function pickerName(code) {
  const own = capitalise(ownName(code));
  const local = languageName(code); // as the page's language writes it mid-phrase ("anglais")
  return own.toLocaleLowerCase() === local.toLocaleLowerCase() ? own : `${isolate(own)} (${local})`;
}

export class LanguagePicker {
  constructor(select) {
    this.select = select;
    this.codes = [];
    this.source = null;
    this.live = null; // Set of live languages, or null while unknown
  }

  /** A session was found: its languages and source language; what is live is not known yet. */
  setSession(supported, source) {
    this.codes = supported.map((l) => l.code);
    this.source = source;
    this.live = null;
    this.fill();
  }

  /** The languages live now (an array), or null when unknown (not connected). */
  setLive(languages) {
    this.live = Array.isArray(languages) ? new Set(languages) : null;
    this.fill();
  }

  /** Whether someone publishes code: true, false, or null when unknown. */
  isLive(code) {
    return this.live ? this.live.has(code) : null;
  }

  /** Fills the select again (a new list, or the page's language changed); keeps the choice. */
  fill() {
    const chosen = this.select.value;
    const ordered = this.codes.includes(this.source)
      ? [this.source, ...this.codes.filter((c) => c !== this.source)]
      : this.codes;
    if (!this.live) {
      this.select.replaceChildren(...ordered.map((c) => this.option(c)));
    } else {
      const groups = [
        [t("picker.liveGroup"), ordered.filter((c) => this.live.has(c))],
        [t("picker.unavailableGroup"), ordered.filter((c) => !this.live.has(c))],
      ];
      this.select.replaceChildren(
        ...groups
          .filter(([, codes]) => codes.length > 0)
          .map(([label, codes]) => {
            const group = document.createElement("optgroup");
            group.label = label;
            group.append(...codes.map((c) => this.option(c)));
            return group;
          }),
      );
    }
    if (chosen && this.codes.includes(chosen)) this.select.value = chosen;
  }

  option(code) {
    const option = document.createElement("option");
    option.value = code;
    const name = pickerName(code);
    option.textContent = code === this.source ? t("session.original", { name }) : name;
    if (this.live) option.dataset.live = String(this.live.has(code));
    return option;
  }
}
