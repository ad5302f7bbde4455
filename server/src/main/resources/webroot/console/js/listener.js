// The listener page: find a session by its code, pick a language, play it live.
import { api, ApiError, browserLanguage, codePath, FLAG_DISCONTINUITY, languages, LiveConnection, parseFrame } from "./protocol.js";
import { StreamDecoder } from "./decoder.js";
import { Player } from "./player.js";
import { SequenceCheck } from "./sequence.js";
import { showCaption } from "./captions.js";
import { showDiagnostics } from "./diagnostics.js";
import { initialCode } from "./session-code.js";
import { languageName as displayName, onUiLanguageChange, t } from "./i18n.js";
import { startPageLanguage } from "./page-language.js";
import { LanguagePicker } from "./picker.js";
import { renderStatus } from "./status-line.js";

const $ = (id) => document.getElementById(id);
const DEFAULT_FORMAT = { codec: "pcm16", sampleRate: 16000, channels: 1 };

/** What tests (and the curious, in the console) can read; refresh() runs the refresh flow. */
const stats = {
  framesReceived: 0,
  lastSeq: 0,
  gaps: 0,
  duplicates: 0,
  playedSeconds: 0,
  underruns: 0, // times the jitter buffer ran dry and refilled
  format: null, // the format being played: {codec, sampleRate, channels, frameMs}
  decodedFrames: 0, // frames turned into samples for the player
  audibleFrames: 0, // of those, frames whose peak is above -40 dBFS
  decodeErrors: 0,
  anomalies: [], // the last gaps and duplicates: {kind, seq, previous, flags, connectionId}
  state: "idle",
  connectionId: null,
  refresh: () => (live ? live.refresh() : false),
};
window.pentecostListener = stats;

let session = null; // the session object from GET /sessions/{id}
let supported = []; // [{code, name}]
let live = null; // LiveConnection while playing
let player = null;
let decoder = null; // StreamDecoder while playing
let playedBefore = 0; // seconds played by earlier players (Stop, then Play again)
const sequence = new SequenceCheck(stats);
const formats = new Map(); // language -> audio format announced
let heard = null; // language of the frames being played
let lastFrameAt = 0; // performance.now() of the last audio frame
let speakerPresent = true; // the speaker's connection is up (sessionJoined, speaker* messages)
let formatProblem = null; // why this browser cannot play the stream heard, or null
let statusText = ""; // the status line as setState last set it (without a note)
let fallback = false; // the status says the listener's language is not available
// The page's language (remembered, or the browser's); loaded while the session is looked up.
const uiReady = startPageLanguage().catch(() => {});
const picker = new LanguagePicker($("language"));

function languageName(code) {
  const l = supported.find((x) => x.code === code);
  return displayName(code, l ? l.name : code);
}

function capitalise(text) {
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}

// ---- status ---------------------------------------------------------------------------------

function setState(state, text) {
  stats.state = state;
  statusText = text;
  renderStatus($("status"), $("play"), { state, text, warn: state === "live" && fallback, playing: live !== null });
}

function liveText() {
  const target = $("language").value;
  fallback = false;
  if (performance.now() - lastFrameAt > 1500) {
    return t("status.waitingAudio");
  }
  if (heard && heard !== target) {
    fallback = true;
    return t("status.fallback", { target: languageName(target), heard: languageName(heard) });
  }
  return t("status.live", { language: languageName(target) });
}

/** The state once connected: paused, the speaker away, unplayable here, or live. */
function showLive() {
  if (session && session.status === "paused") {
    setState("paused", t("status.paused"));
  } else if (!speakerPresent) {
    setState("speakerAway", t("status.speakerAway"));
  } else if (formatProblem) {
    setState("unsupported", formatProblem);
  } else {
    setState("live", liveText());
  }
}

// ---- finding the session --------------------------------------------------------------------

async function lookUp(code) {
  $("code-error").textContent = "";
  if (!code.trim()) {
    $("code-error").textContent = t("join.enterCode");
    $("code").focus();
    return;
  }
  const button = $("code-form").querySelector("button");
  button.disabled = true;
  button.textContent = t("join.looking");
  try {
    const looked = Promise.all([api(`/sessions/${codePath(code)}`), supported.length ? supported : languages()]);
    await Promise.allSettled([looked, uiReady]); // the page's text is ready, found or not
    const [found, langs] = await looked;
    supported = langs;
    showSession(found);
  } catch (e) {
    const message = e instanceof ApiError && e.code === "SESSION_NOT_FOUND"
      ? t("join.notFound")
      : capitalise(e.message);
    $("code-error").textContent = message;
    $("code").focus();
  } finally {
    button.disabled = false;
    button.textContent = t("join.find");
  }
}

function showSession(found) {
  session = found;
  history.replaceState(null, "", `/listen/${encodeURIComponent(found.sessionId)}`);
  document.title = t("page.sessionTitle", { code: found.sessionId });
  $("join").hidden = true;
  $("session").hidden = false;
  $("session-code").textContent = found.sessionId;
  picker.setSession(supported, found.sourceLanguage);
  $("language").value = browserLanguage(supported) || found.sourceLanguage;
  updateMeta();
  if (found.status === "ended") {
    setState("ended", t("status.ended"));
  } else {
    setState("idle", t(found.status === "paused" ? "status.pressPlayPaused" : "status.pressPlay"));
    $("play").focus();
  }
}

function updateMeta() {
  const known = ["active", "paused", "ended"].includes(session.status);
  const status = known ? t(`session.status.${session.status}`) : session.status;
  $("session-meta").textContent = t("session.meta", { language: languageName(session.sourceLanguage), status });
}

// ---- playing --------------------------------------------------------------------------------

async function play() {
  player = new Player({ targetMs: 200, maxMs: 1000 });
  decoder = new StreamDecoder({ onSamples, onFormat, onError: () => stats.decodeErrors++ });
  live = new LiveConnection({
    query: () => ({ sessionId: session.sessionId, targetLanguage: $("language").value, fallback: "source" }),
    // We keep what is buffered across a refresh, so we resume after the last frame received.
    resumeQuery: () => sequence.resumeQuery(),
    handlers: { onJoined, onMessage, onAudio, onClosed, onRefreshing: () => {} },
  });
  setState("connecting", t("status.connecting"));
  try {
    await player.start();
  } catch (e) {
    stopPlaying();
    setState("error", e.message || t("status.audioCannotStart"));
    return;
  }
  if (live) live.start();
}

function stopPlaying(ended = false) {
  if (live && ended) live.finish();
  else if (live) live.stop();
  live = null;
  if (player) {
    playedBefore += player.playedSeconds;
    player.stop();
  }
  player = null;
  if (decoder) decoder.close();
  decoder = null;
  formatProblem = null;
  stats.connectionId = null;
  picker.setLive(null); // not known while not connected
}

function onJoined(msg) {
  stats.connectionId = msg.connectionId;
  session.status = msg.status || session.status;
  updateMeta();
  // audio: the format of what we will hear (our language, or the source as a fallback).
  const hearing =
    msg.audioLanguage || (msg.streamAvailable === false ? msg.sourceLanguage : msg.targetLanguage);
  if (msg.audio) announced(hearing, msg.audio);
  speakerPresent = msg.speakerConnected !== false;
  picker.setLive(msg.liveLanguages || null);
  showLive();
}

/**
 * The server told the format of a language's stream (a join, a new publisher, a language switch):
 * frames of that language are decoded with it from now on, and the page says at once if this
 * browser cannot play it.
 */
function announced(language, format) {
  formats.set(language, format);
  // Every announcement is of the stream heard next: check it now rather than at its first frame.
  if (decoder) decoder.setFormat(format);
}

function onFormat(format, problem) {
  stats.format = format;
  const wasProblem = formatProblem;
  formatProblem = problem;
  if (!live || stats.state === "ended") return;
  if (problem) {
    if (stats.state !== "paused") setState("unsupported", problem);
  } else if (wasProblem && stats.state === "unsupported") {
    showLive();
  }
}

function onSamples(samples, rate) {
  stats.decodedFrames++;
  let peak = 0;
  for (let i = 0; i < samples.length; i++) {
    const a = samples[i] < 0 ? -samples[i] : samples[i];
    if (a > peak) peak = a;
  }
  if (peak > 0.01) stats.audibleFrames++;
  if (player) player.push(samples, rate);
}

function onMessage(msg, current) {
  if (stats.state === "ended") return;
  switch (msg.type) {
    case "sessionPaused":
      session.status = "paused";
      updateMeta();
      setState("paused", t("status.paused"));
      break;
    case "sessionResumed":
      session.status = "active";
      updateMeta();
      showLive();
      break;
    case "sessionEnded":
      session.status = "ended";
      updateMeta();
      stopPlaying(true);
      setState("ended", t("status.endedThanks"));
      break;
    case "speakerDisconnected": {
      speakerPresent = false;
      const s = Math.round((msg.gracePeriodMs || 0) / 1000);
      setState("speakerAway", s > 0 ? t("status.speakerDropped", { seconds: s }) : t("status.speakerDroppedNow"));
      break;
    }
    case "speakerReconnected":
      speakerPresent = true;
      showLive();
      break;
    case "streamStarted":
      if (msg.audio) announced(msg.language, msg.audio);
      // A new publisher numbers its stream afresh.
      sequence.restart(msg.language);
      break;
    case "languageSwitched":
      $("language").value = msg.targetLanguage;
      if (msg.audio && msg.audioLanguage) announced(msg.audioLanguage, msg.audio);
      break;
    case "liveLanguagesChanged":
      picker.setLive(msg.liveLanguages);
      break;
    case "continuityLost":
      if (player) player.reset();
      break;
    case "caption":
      showCaption($("captions"), msg);
      break;
    case "error":
      if (!current) break;
      // Errors that do not close the connection (a refused action): say so, keep playing.
      $("status").textContent = t("status.note", { status: statusText, message: msg.message });
      break;
    default:
      break;
  }
}

function onAudio(buffer, connectionId) {
  const frame = parseFrame(buffer);
  if (!frame || frame.version !== 1) return;
  stats.framesReceived++;
  // Frames skipped on purpose, or another language's stream (after a switch, or moving between
  // the floor audio and a translation): what this language published meanwhile is not a loss.
  const discontinuity = (frame.flags & FLAG_DISCONTINUITY) !== 0 || (heard !== null && frame.language !== heard);
  if (!sequence.accept(frame, connectionId, discontinuity)) return;
  if (!player || !decoder) return;
  lastFrameAt = performance.now();
  if (frame.language !== heard || discontinuity) {
    heard = frame.language;
    player.reset();
    decoder.reset();
  }
  decoder.setFormat(formats.get(frame.language) || DEFAULT_FORMAT);
  decoder.decode(frame.payload);
}

function onClosed({ code, text, error, reconnecting }) {
  stats.connectionId = null;
  if (code === 4410 || (error && error.code === "SESSION_ENDED")) {
    session.status = "ended";
    updateMeta();
    stopPlaying();
    setState("ended", t("status.endedThanks"));
  } else if (reconnecting) {
    setState("reconnecting", text);
  } else {
    stopPlaying();
    setState("error", capitalise(text));
  }
}

// ---- wiring ---------------------------------------------------------------------------------

$("code-form").addEventListener("submit", (event) => {
  event.preventDefault();
  lookUp($("code").value);
});

$("play").addEventListener("click", () => {
  if (live) {
    stopPlaying();
    setState("stopped", t("status.stopped"));
  } else {
    play();
  }
});

$("language").addEventListener("change", () => {
  if (live && live.open) {
    live.send({ action: "switchLanguage", targetLanguage: $("language").value });
  }
});

$("change").addEventListener("click", () => {
  stopPlaying();
  session = null;
  history.replaceState(null, "", "/listen");
  document.title = t("page.title");
  $("session").hidden = true;
  $("join").hidden = false;
  stats.state = "idle";
  $("code").focus();
});

setInterval(() => {
  if (stats.state === "live") setState("live", liveText());
  stats.playedSeconds = playedBefore + (player ? player.playedSeconds : 0);
  stats.underruns = player ? player.stats.underruns : 0;
  showDiagnostics(stats, player);
}, 250);

// The page's language changed: everything this page wrote with t() is written again.
onUiLanguageChange(() => {
  document.title = session ? t("page.sessionTitle", { code: session.sessionId }) : t("page.title");
  if (!session) return;
  picker.fill();
  updateMeta();
  $("play").dataset.playing = ""; // its label too
  const again = { idle: session.status === "paused" ? "status.pressPlayPaused" : "status.pressPlay",
    stopped: "status.stopped", connecting: "status.connecting", ended: stats.framesReceived ? "status.endedThanks" : "status.ended" };
  if (["live", "paused", "speakerAway"].includes(stats.state)) showLive();
  else setState(stats.state, again[stats.state] ? t(again[stats.state]) : statusText);
});

const code = initialCode();
if (code) {
  $("code").value = code;
  lookUp(code);
} else {
  $("code").focus();
}
