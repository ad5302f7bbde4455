// The listener page: find a session by its code, pick a language, play it live.
import { api, ApiError, browserLanguage, codePath, languages, LiveConnection } from "./protocol.js";
import { Reception } from "./reception.js";
import { captionsMode, showCaption, showEndedCaptions } from "./captions.js";
import { showDiagnostics } from "./diagnostics.js";
import { Playback } from "./playback.js";
import { Recovery } from "./recovery.js";
import { chooseStatus, renderStatus } from "./listen-status.js";
import * as prefs from "./listen-prefs.js";
import { languageName as displayName, onUiLanguageChange, t } from "./i18n.js";
import { startPageLanguage } from "./page-language.js";
import { LanguagePicker } from "./picker.js";
import { listenerStats } from "./listen-stats.js";

const $ = (id) => document.getElementById(id);

/** What tests (and the curious, in the console) can read; refresh() runs the refresh flow. */
const stats = listenerStats();
stats.refresh = () => (live ? live.refresh() : false);
/** The player's AudioContext (for tests that suspend it), or null. */
Object.defineProperty(stats, "audioContext", { get: () => (player ? player.ctx : null) });
window.pentecostListener = stats;

let session = null; // the session object from GET /sessions/{id}
let supported = []; // [{code, name}]
let live = null; // LiveConnection while playing
let player = null;
let playedBefore = 0; // seconds played by earlier players (Stop, then Play again)
const reception = new Reception(stats); // frames to the player
let speakerPresent = true; // the speaker's connection is up (sessionJoined, speaker* messages)
let formatProblem = null; // why this browser cannot play the stream heard, or null
let statusText = ""; // the status line as setState last set it (without a note)
let joinedAt = 0; // performance.now() of the last sessionJoined
let wasOpen = false; // the connection has joined once since Play
let speakerAwayText = null; // the speakerDisconnected wording, while it applies
const playback = new Playback(stats, () => showLive()); // the phone's needs around the player
const recovery = new Recovery({ live: () => live, onChange: () => live && showLive(), stats });
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

function setState(state, text, detail = "") {
  if (state === stats.state && text === statusText) return; // keeps a note shown after it
  stats.state = state;
  stats.detail = detail;
  statusText = text;
  // hearing the original instead of the language asked for is a warning, not "ok"
  renderStatus(state, text, live !== null, detail === "status.fallback");
}

/** A state whose text is one of the page's strings (written again when the page's language changes). */
function say(state, key) {
  setState(state, t(key), key);
}

/** Whether audio frames flow: "flowing", "waiting" (none since the join) or "silent". */
function audioFlow() {
  if (recovery.speakerSilent) return "silent"; // the connection answered, no audio came
  // Quiet with no verdict yet: the probe decides within a moment (recovery.js).
  return reception.lastFrameAt >= joinedAt ? "flowing" : "waiting";
}

/** The state while playing (listen-status.js chooses). */
function showLive() {
  if (!live || stats.state === "ended") return;
  const target = $("language").value;
  const heard = reception.heard;
  const [state, text, detail] = chooseStatus({
    paused: !!session && session.status === "paused",
    open: live.open,
    wasOpen,
    lost: recovery.lost,
    offline: recovery.offline,
    needsTap: playback.needsTap,
    silenced: !!player && !player.audible,
    speakerPresent,
    speakerAwayText,
    formatProblem,
    captionsOnly: stats.captionsOnly,
    audio: audioFlow(),
    target: languageName(target),
    heard: heard && heard !== target ? languageName(heard) : null,
  });
  setState(state, text, detail);
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
    showEnded("status.ended");
  } else {
    say("idle", found.status === "paused" ? "status.pressPlayPaused" : "status.pressPlay");
    $("play").focus();
    if (prefs.wasPlaying() === found.sessionId) play(); // a reload mid-stream plays again
  }
}

/** The session has ended: no Play button, no empty captions box; a half-finished line settles. */
function showEnded(key) {
  prefs.forgetPlaying();
  say("ended", key);
  showEndedCaptions(true);
}

function updateMeta() {
  const known = ["active", "paused", "ended"].includes(session.status);
  const status = known ? t(`session.status.${session.status}`) : session.status;
  $("session-meta").textContent = t("session.meta", { language: languageName(session.sourceLanguage), status });
}

// ---- playing --------------------------------------------------------------------------------

async function play() {
  const captionsOnly = $("captions-only").checked;
  stats.captionsOnly = captionsOnly;
  const p = captionsOnly ? null : playback.newPlayer();
  player = p;
  if (p) reception.begin(p, onFormat);
  live = new LiveConnection({
    query: () => ({
      sessionId: session.sessionId,
      targetLanguage: $("language").value,
      fallback: "source",
      audio: captionsOnly ? "none" : null,
    }),
    // We keep what is buffered across a refresh, so we resume after the last frame received.
    resumeQuery: () => reception.resumeQuery(),
    handlers: { onJoined, onMessage, onAudio: (b, id) => reception.frame(b, id), onClosed, onRefreshing: () => {} },
    maxBackoffMs: () => recovery.maxBackoffMs(),
  });
  const connection = live;
  wasOpen = false;
  prefs.rememberPlaying(session.sessionId);
  say("connecting", "status.connecting");
  stats.playMs = performance.now();
  // The audio starts within the tap, the connection at once beside it (the player queues what
  // arrives before its worklet is ready): time to sound is the longer of the two, not their sum.
  const started = p ? playback.start(p) : Promise.resolve();
  live.start();
  try {
    await started;
  } catch (e) {
    if (player === p) {
      stopPlaying();
      setState("error", e.message || t("status.audioCannotStart"));
    }
    return;
  }
  if (live !== connection) return; // stopped meanwhile
  playback.playing({
    title: session.sessionId,
    artist: languageName($("language").value),
    onPlay: () => (player ? playback.tap() : !live && play()),
    onPause: stop,
  });
}

function stop() {
  stopPlaying();
  say("stopped", "status.stopped");
}

function stopPlaying(ended = false) {
  if (live && ended) live.finish();
  else if (live) live.stop();
  live = null;
  playback.stop();
  if (player) {
    playedBefore += player.playedSeconds;
    player.stop();
  }
  player = null;
  reception.end();
  formatProblem = null;
  stats.connectionId = null;
  picker.setLive(null); // not known while not connected
  prefs.forgetPlaying();
}

function onJoined(msg) {
  stats.connectionId = msg.connectionId;
  session.status = msg.status || session.status;
  updateMeta();
  // audio: the format of what we will hear (our language, or the source as a fallback).
  const hearing =
    msg.audioLanguage || (msg.streamAvailable === false ? msg.sourceLanguage : msg.targetLanguage);
  if (msg.audio) reception.announced(hearing, msg.audio);
  speakerPresent = msg.speakerConnected !== false;
  picker.setLive(msg.liveLanguages || null);
  if (speakerPresent) speakerAwayText = null;
  joinedAt = performance.now();
  if (stats.joinedMs === null) stats.joinedMs = joinedAt;
  wasOpen = true;
  recovery.joined();
  showLive();
}

/** The decoder's verdict on the format heard: a problem shows at once (unless paused). */
function onFormat(format, problem) {
  stats.format = format;
  formatProblem = problem;
  showLive();
}

function onMessage(msg, current) {
  if (stats.state === "ended") return;
  switch (msg.type) {
    case "sessionPaused":
      session.status = "paused";
      updateMeta();
      showLive();
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
      showEnded("status.endedThanks");
      break;
    case "speakerDisconnected": {
      speakerPresent = false;
      const s = Math.round((msg.gracePeriodMs || 0) / 1000);
      speakerAwayText = s > 0 ? t("status.speakerDropped", { seconds: s }) : t("status.speakerDroppedNow");
      showLive();
      break;
    }
    case "speakerReconnected":
      speakerPresent = true;
      speakerAwayText = null;
      showLive();
      break;
    case "streamStarted":
      if (msg.audio) reception.announced(msg.language, msg.audio);
      reception.restart(msg.language);
      break;
    case "languageSwitched":
      $("language").value = msg.targetLanguage;
      if (msg.audio && msg.audioLanguage) reception.announced(msg.audioLanguage, msg.audio);
      break;
    case "liveLanguagesChanged":
      picker.setLive(msg.liveLanguages);
      break;
    case "continuityLost":
      reception.reset();
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

function onClosed({ code, text, error, reconnecting }) {
  stats.connectionId = null;
  if (code === 4410 || (error && error.code === "SESSION_ENDED")) {
    session.status = "ended";
    updateMeta();
    stopPlaying();
    showEnded("status.endedThanks");
  } else if (reconnecting) {
    showLive();
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

$("play").addEventListener("click", () => (live ? stop() : play()));

$("resume").addEventListener("click", () => playback.tap());

// Switching mode while playing connects again, with or without audio frames.
captionsMode(() => live && (stopPlaying(), play()));

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
  showEndedCaptions(false);
  stats.state = "idle";
  $("code").focus();
});

setInterval(() => {
  if (live) showLive();
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
  if (live && stats.state !== "ended") showLive();
  else if (stats.detail) say(stats.state, stats.detail);
});

const code = prefs.initialCode();
if (code) {
  $("code").value = code;
  lookUp(code);
} else {
  $("code").focus();
}
