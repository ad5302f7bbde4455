// The speaker console: sign in with a token, create or resume a session, share its code,
// stream the microphone, watch the audience, pause, resume, end.
import { api, ApiError, browserLanguage, codePath, languages, LiveConnection } from "./protocol.js";
import { WIRE_RATE } from "./microphone.js";
import { Transmitter } from "./transmitter.js";
import { copyJoinLink, showJoinLink } from "./share.js";
import { showAudience } from "./audience.js";
import { renderMine } from "./mine.js";
import { hideSummary, showSummary } from "./summary.js";

const $ = (id) => document.getElementById(id);
// The token lives in this tab only: never in the URL, never in localStorage, never logged.
const TOKEN_KEY = "pentecost.speakerToken";

/** What tests (and the curious) can read. */
const stats = {
  framesSent: 0,
  framesDropped: 0,
  codec: null, // what the current connection declared: pcm16 | opus
  state: "signedOut",
  sessionId: null,
  listenerCount: 0,
  connectionId: null,
  refresh: () => (live ? live.refresh() : false),
};
window.pentecostSpeaker = stats;

let token = null;
let supported = [];
let session = null;
let live = null;
let lastError = "";
let sending = null; // the audio format the current connection declared (its sessionJoined)
const transmitter = new Transmitter({
  stats,
  socket: writableSocket,
  declared: () => sending,
  redeclare: () => {
    if (live && live.open) live.refresh();
  },
  changed: describe,
  failed: (message) => setState(stats.state, message, "bad"),
  canStart: () => session && session.status !== "ended",
});

function capitalise(text) {
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}

function languageName(code) {
  const l = supported.find((x) => x.code === code);
  return l ? l.name : code;
}

function show(section) {
  for (const id of ["signin", "home", "live"]) $(id).hidden = id !== section;
  $("signout").hidden = section === "signin";
}

// ---- signing in -----------------------------------------------------------------------------

function userOf(jwt) {
  try {
    const part = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part)).sub || null;
  } catch (e) {
    return null;
  }
}

async function signIn(candidate) {
  $("signin-error").textContent = "";
  try {
    const [mine, langs] = await Promise.all([api("/sessions", { token: candidate }), supported.length ? supported : languages()]);
    token = candidate;
    supported = langs;
    sessionStorage.setItem(TOKEN_KEY, token);
    fillLanguages();
    const user = userOf(token);
    $("who").textContent = user ? `Signed in as ${user}.` : "Signed in.";
    stats.state = "signedIn";
    show("home");
    renderMine(mine, { open: openSession, languageName });
  } catch (e) {
    sessionStorage.removeItem(TOKEN_KEY);
    token = null;
    stats.state = "signedOut";
    show("signin");
    $("signin-error").textContent = e instanceof ApiError && e.status === 401
      ? `This token was not accepted: ${e.message}.`
      : capitalise(e.message);
  }
}

function signOut() {
  leaveSession();
  sessionStorage.removeItem(TOKEN_KEY);
  token = null;
  stats.state = "signedOut";
  $("token").value = "";
  show("signin");
  $("token").focus();
}

function fillLanguages() {
  const select = $("source");
  if (select.options.length) return;
  for (const l of supported) {
    const option = document.createElement("option");
    option.value = l.code;
    option.textContent = l.name;
    select.append(option);
  }
  select.value = browserLanguage(supported) || supported[0].code;
}

// ---- my sessions ----------------------------------------------------------------------------

async function reloadMine() {
  try {
    renderMine(await api("/sessions", { token }), { open: openSession, languageName });
  } catch (e) {
    handleApiError(e, $("create-error"));
  }
}

async function create(event) {
  event.preventDefault();
  $("create-error").textContent = "";
  const button = $("create-form").querySelector("button");
  button.disabled = true;
  try {
    const created = await api("/sessions", {
      method: "POST",
      token,
      body: { sourceLanguage: $("source").value, qualityTier: $("tier").value },
    });
    openSession(created);
  } catch (e) {
    handleApiError(e, $("create-error"));
  } finally {
    button.disabled = false;
  }
}

function handleApiError(e, where) {
  if (e instanceof ApiError && e.status === 401) {
    signOut();
    $("signin-error").textContent = `Please sign in again: ${e.message}.`;
    return;
  }
  where.textContent = capitalise(e.message);
}

// ---- the live session -----------------------------------------------------------------------

function openSession(s) {
  session = s;
  stats.sessionId = s.sessionId;
  stats.framesSent = 0;
  stats.framesDropped = 0;
  show("live");
  $("live-code").textContent = s.sessionId;
  $("live-meta").textContent = `Spoken in ${languageName(s.sourceLanguage)} · ${s.qualityTier}`;
  if (s.status === "ended") return ended();
  hideSummary();
  showJoinLink(s.sessionId);
  setCounts(s.listenerCount, s.listenersByLanguage);
  updateStatus();
  setState("connecting", "Connecting…");
  live = new LiveConnection({
    query: () => ({ sessionId: session.sessionId, role: "speaker", token, ...transmitter.wireFormat() }),
    handlers: { onJoined, onMessage, onAudio: () => {}, onClosed, onRefreshing: () => {} },
  });
  live.start();
  $("mic").focus();
}

function leaveSession() {
  transmitter.stop();
  if (live) live.stop();
  live = null;
  sending = null;
  stats.codec = null;
  session = null;
  stats.sessionId = null;
  stats.connectionId = null;
}

function setState(state, text, tone = "") {
  stats.state = state;
  const el = $("status");
  el.textContent = text;
  el.dataset.state = state;
  el.dataset.tone = tone;
}

function updateStatus() {
  const status = session ? session.status : "ended";
  const badge = $("live-status");
  badge.textContent = status;
  badge.dataset.status = status;
  $("pause").textContent = status === "paused" ? "Resume" : "Pause";
  $("pause").disabled = status === "ended";
  $("end").disabled = status === "ended";
  $("mic").disabled = status === "ended";
}

function describe() {
  if (!session) return;
  if (session.status === "ended") {
    setState("ended", "The session has ended.");
  } else if (!live || !live.open) {
    setState("connecting", "Connecting…", "warn");
  } else if (session.status === "paused") {
    setState("paused", "Paused: listeners hear nothing until you resume.", "warn");
  } else if (transmitter.on) {
    setState("live", "Live: your microphone is on the air.", "ok");
  } else {
    setState("ready", "Connected. Start the microphone to go live.", "");
  }
}

function setCounts(total, byLanguage) {
  stats.listenerCount = total || 0;
  showAudience(total, byLanguage, languageName);
}

function onJoined(msg) {
  stats.connectionId = msg.connectionId;
  lastError = "";
  sending = msg.audio || { codec: "pcm16", sampleRate: WIRE_RATE, channels: 1 };
  stats.codec = sending.codec;
  transmitter.declaredFormat(sending);
  // The codec was changed while this connection was being made: declare the new one.
  if (sending.codec !== transmitter.chosen) live.refresh();
  session.status = msg.status || session.status;
  if (msg.listenerCount !== undefined) setCounts(msg.listenerCount, msg.listenersByLanguage);
  updateStatus();
  describe();
}

function onMessage(msg, current) {
  switch (msg.type) {
    case "listenerStats":
      setCounts(msg.listenerCount, msg.listenersByLanguage);
      break;
    case "sessionStatus":
      setCounts(msg.listenerCount, msg.listenersByLanguage);
      break;
    case "sessionPaused":
      session.status = "paused";
      updateStatus();
      describe();
      break;
    case "sessionResumed":
      session.status = "active";
      updateStatus();
      describe();
      break;
    case "sessionEnded":
      ended();
      break;
    case "error":
      // Errors that leave the connection open (a refused message): show each kind once.
      if (current && msg.message !== lastError) {
        lastError = msg.message;
        setState(stats.state, `${$("status").textContent.split(" — server says:")[0]} — server says: ${msg.message}`, "warn");
      }
      break;
    default:
      break;
  }
}

function onClosed({ code, text, error, reconnecting }) {
  stats.connectionId = null;
  if (code === 4410 || (error && error.code === "SESSION_ENDED")) {
    ended();
  } else if (code === 4401) {
    transmitter.stop();
    setState("error", `${capitalise(text)}`, "bad");
  } else if (reconnecting) {
    setState("reconnecting", text, "warn");
  } else {
    transmitter.stop();
    setState(code === 4002 ? "replaced" : "error", capitalise(text), "bad");
  }
}

function ended() {
  transmitter.stop();
  if (live) live.finish();
  live = null;
  if (session) session.status = "ended";
  updateStatus();
  setState("ended", "The session has ended. Listeners were told and disconnected.");
  if (session) showSummary(session, token, languageName);
}

/** The current WebSocket if audio may be sent now, else null. */
function writableSocket() {
  const socket = live ? live.socket : null;
  // Paused audio would be dropped by the server anyway: do not send it.
  return socket && sending && session && session.status === "active" ? socket : null;
}

// ---- controls -------------------------------------------------------------------------------

async function togglePause() {
  const next = session.status === "paused" ? "active" : "paused";
  $("pause").disabled = true;
  try {
    session = await api(`/sessions/${codePath(session.sessionId)}`, { method: "PATCH", token, body: { status: next } });
    updateStatus();
    describe();
  } catch (e) {
    handleApiError(e, $("status"));
  } finally {
    $("pause").disabled = !session || session.status === "ended";
  }
}

async function end() {
  if (!window.confirm(`End ${session.sessionId} for everyone? Listeners will be disconnected, and the code cannot be used again.`)) {
    return;
  }
  try {
    await api(`/sessions/${codePath(session.sessionId)}`, { method: "DELETE", token });
    ended();
  } catch (e) {
    handleApiError(e, $("status"));
  }
}

// ---- wiring ---------------------------------------------------------------------------------

$("signin-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const value = $("token").value.trim().replace(/^Bearer\s+/i, "");
  if (!value) {
    $("signin-error").textContent = "Paste your speaker token first.";
    return;
  }
  signIn(value);
});
$("signout").addEventListener("click", signOut);
$("create-form").addEventListener("submit", create);
$("reload").addEventListener("click", reloadMine);
$("mic").addEventListener("click", () => transmitter.toggle());
$("codec").addEventListener("change", () => transmitter.codecChanged());
$("pause").addEventListener("click", togglePause);
$("end").addEventListener("click", end);
$("copy").addEventListener("click", copyJoinLink);
$("back").addEventListener("click", () => {
  leaveSession();
  stats.state = "signedIn";
  show("home");
  reloadMine();
});

transmitter.offerCodecs();

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) {
  signIn(saved);
} else {
  show("signin");
}
