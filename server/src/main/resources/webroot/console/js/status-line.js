// The listener page's status line and Play button, as a state and a text: the dot's tone (ok,
// warn, bad) follows the state, and a "live" state that is not what the listener asked for (their
// language is not available; they hear the original) is a warning, not "ok".
import { t } from "./i18n.js";

const TONES = {
  live: "ok",
  paused: "warn",
  speakerAway: "warn",
  reconnecting: "warn",
  connecting: "",
  error: "bad",
  unsupported: "bad",
};

/** Shows state and text in the status element; the Play button says Play or Stop. */
export function renderStatus(el, button, { state, text, warn = false, playing }) {
  if (el.textContent !== text) el.textContent = text;
  el.dataset.tone = warn ? "warn" : TONES[state] || "";
  el.dataset.state = state;
  if (button.dataset.playing !== String(playing)) {
    const icon = document.createElement("span");
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = playing ? "■" : "▶";
    button.replaceChildren(icon, ` ${t(playing ? "play.stop" : "play.play")}`);
    button.dataset.playing = String(playing);
  }
  button.disabled = state === "ended";
}
