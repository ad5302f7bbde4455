// The listener page's status line: which state to show, most important first, so that it always
// tells the truth (never "Live — you are hearing …" while the sound is interrupted or the
// connection is lost), and how to draw it (the status line and the Play/Stop and resume buttons).
import { t } from "./i18n.js";

const $ = (id) => document.getElementById(id);

const TONES = {
  live: "ok",
  paused: "warn",
  speakerAway: "warn",
  reconnecting: "warn",
  resuming: "warn",
  connecting: "",
  interrupted: "bad",
  error: "bad",
  unsupported: "bad",
};

/**
 * [state, text, i18n key] while playing, from a snapshot: paused (the session), offline or
 * reconnecting (socket down or stalled), connecting, interrupted (a tap is needed), resuming,
 * the speaker away, a format this browser cannot play, or live: captions only, audio flowing,
 * the original as a fallback, waiting for audio, or the speaker not sending.
 */
export function chooseStatus(s) {
  const down = !s.open || s.lost || s.offline; // the browser knows better than a quiet socket
  const say = (state, key, vars) => [state, t(key, vars), key];
  if (s.paused) return say("paused", "status.paused");
  if (down && s.offline) return say("reconnecting", "status.offline");
  if (down && (s.wasOpen || s.lost)) return say("reconnecting", "status.reconnecting");
  if (down) return say("connecting", "status.connecting");
  if (s.needsTap) return say("interrupted", "status.tapToResume");
  if (s.silenced) return say("resuming", "status.resuming");
  if (!s.speakerPresent) return ["speakerAway", s.speakerAwayText || t("status.speakerAway"), "status.speakerAway"];
  if (s.formatProblem) return ["unsupported", s.formatProblem, ""];
  if (s.captionsOnly) return say("live", "status.captionsOnly", { language: s.target });
  if (s.audio === "silent") return say("live", "status.speakerSilent");
  if (s.audio === "waiting") return say("live", "status.waitingAudio");
  if (s.heard && s.heard !== s.target) return say("live", "status.fallback", { target: s.target, heard: s.heard });
  return say("live", "status.live", { language: s.target });
}

/**
 * Draws the status line and the buttons; playing: a connection is open or on its way; warn: a
 * "live" that is not what the listener asked for (the original instead of their language).
 */
export function renderStatus(state, text, playing, warn = false) {
  const el = $("status");
  if (el.textContent !== text) el.textContent = text;
  el.dataset.tone = warn ? "warn" : TONES[state] || "";
  el.dataset.state = state;
  const p = String(playing);
  if ($("play").dataset.playing !== p) {
    const icon = document.createElement("span");
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = playing ? "■" : "▶";
    $("play").replaceChildren(icon, ` ${t(playing ? "play.stop" : "play.play")}`);
    $("play").dataset.playing = p;
  }
  $("play").hidden = state === "ended";
  $("resume").hidden = state !== "interrupted";
}
