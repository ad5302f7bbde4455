// The listener's captions: final lines kept, the partial line being spoken below them. The box
// never scrolls inside itself (that cut its first line on phones): it holds the last few lines,
// or in captions-only mode the whole transcript, and the page follows the newest line while the
// reader is at the bottom. Only final lines are announced: the box is a polite log, and the
// partial line, rewritten word by word, is hidden from screen readers until it is final.
import { captionsOnlyChosen, chooseCaptionsOnly } from "./listen-prefs.js";

const LINES = 6; // lines kept beside the audio
const TRANSCRIPT_LINES = 1000; // lines kept in captions-only mode
const SIZES = [1, 1.25, 1.5, 1.85, 2.25, 2.75]; // captions-only text sizes, in rem
const SIZE_KEY = "pentecost.captionSize";

/** Shows a caption message ({text, final}) in the box. */
export function showCaption(box, msg) {
  const hint = box.querySelector(".muted");
  if (hint) hint.remove();
  const follow = atBottom();
  let partial = box.querySelector(".partial");
  if (msg.final) {
    if (partial) partial.remove();
    const p = document.createElement("p");
    p.textContent = msg.text;
    box.append(p);
    const keep = box.classList.contains("transcript") ? TRANSCRIPT_LINES : LINES;
    while (box.querySelectorAll("p:not(.partial)").length > keep) box.firstElementChild.remove();
  } else {
    if (!partial) {
      partial = document.createElement("p");
      partial.className = "partial";
      partial.setAttribute("aria-hidden", "true");
      box.append(partial);
    }
    partial.textContent = msg.text;
  }
  if (follow && box.classList.contains("transcript")) box.lastElementChild.scrollIntoView({ block: "end" });
}

/** The end: a half-finished line stays as spoken, as an ordinary line. */
export function finishCaptions(box) {
  const partial = box.querySelector(".partial");
  if (!partial) return;
  partial.classList.remove("partial");
  partial.removeAttribute("aria-hidden");
}

/** Whether the box has shown any caption. */
export function hasCaptions(box) {
  return box.querySelector("p:not(.muted)") !== null;
}

function atBottom() {
  const doc = document.scrollingElement || document.documentElement;
  return doc.scrollTop + window.innerHeight >= doc.scrollHeight - 80;
}

function storedSize() {
  try {
    const i = Number(localStorage.getItem(SIZE_KEY));
    return Number.isInteger(i) && i >= 0 && i < SIZES.length ? i : 2;
  } catch (e) {
    return 2;
  }
}

/**
 * The text size buttons (A− / A+) of captions-only mode: the size is a CSS variable on the box,
 * remembered in localStorage.
 */
export function sizeControls(box, smaller, larger) {
  let size = storedSize();
  const apply = () => {
    box.style.setProperty("--caption-size", `${SIZES[size]}rem`);
    smaller.disabled = size === 0;
    larger.disabled = size === SIZES.length - 1;
    try {
      localStorage.setItem(SIZE_KEY, String(size));
    } catch (e) {
      // private mode: not remembered
    }
  };
  smaller.addEventListener("click", () => {
    size = Math.max(0, size - 1);
    apply();
  });
  larger.addEventListener("click", () => {
    size = Math.min(SIZES.length - 1, size + 1);
    apply();
  });
  apply();
}

const $ = (id) => document.getElementById(id);
const hint = $("captions") ? $("captions").querySelector(".muted") : null; // shown until a caption

/**
 * The listener page's captions-only switch: the transcript in large, adjustable text, the page
 * scrolls; the choice is remembered (listen-prefs.js). onToggle(on) after the listener changes it.
 */
export function captionsMode(onToggle) {
  const box = $("captions");
  const show = () => {
    const on = $("captions-only").checked;
    document.body.classList.toggle("captions-only", on);
    box.classList.toggle("transcript", on);
    $("text-size").hidden = !on;
  };
  $("captions-only").checked = captionsOnlyChosen();
  $("captions-only").addEventListener("change", () => {
    chooseCaptionsOnly($("captions-only").checked);
    show();
    onToggle($("captions-only").checked);
  });
  sizeControls(box, $("text-smaller"), $("text-larger"));
  show();
}

/**
 * The session has ended: no captions-only switch, no empty captions box, and a half-finished
 * line settles as spoken. With false (another session is looked up): all back, the box emptied.
 */
export function showEndedCaptions(ended) {
  if (ended) finishCaptions($("captions"));
  else if (hasCaptions($("captions"))) $("captions").replaceChildren(...(hint ? [hint] : [])); // another session
  $("captions-area").hidden = ended && !hasCaptions($("captions"));
  $("captions-only-row").hidden = ended;
  $("captions-only-help").hidden = ended;
}
