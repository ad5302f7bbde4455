// The speaker's page after the end: no QR code and no live count any more, but the session's
// summary (peaks, listener-minutes, the audio published per language) and its transcripts to
// download in three formats.
import { api, codePath } from "./protocol.js";

const $ = (id) => document.getElementById(id);
const FORMATS = [
  ["txt", "Text"],
  ["vtt", "WebVTT"],
  ["srt", "SubRip"],
];

/** What tests can read: the summary shown, or the error that kept it from showing. */
export const shown = { summary: null, error: null };

/** Puts the live parts back (a session opened after another one ended). */
export function hideSummary() {
  $("share").hidden = false;
  $("listeners-card").hidden = false;
  $("after").hidden = true;
}

let last = { id: null, at: 0 };

/**
 * Shows the summary of the ended session `s` (fetched with `token`), and again a few seconds
 * later: the nodes report the last listeners' time as their connections close.
 */
export function showSummary(s, token, languageName) {
  if (last.id === s.sessionId && Date.now() - last.at < 2000) return;
  last = { id: s.sessionId, at: Date.now() };
  load(s, token, languageName);
  setTimeout(() => {
    if (!$("after").hidden && $("live-code").textContent === s.sessionId) load(s, token, languageName);
  }, 4000);
}

async function load(s, token, languageName) {
  $("share").hidden = true;
  $("listeners-card").hidden = true;
  $("after").hidden = false;
  if (!shown.summary) $("summary-total").textContent = "Loading the summary…";
  const path = `/sessions/${codePath(s.sessionId)}`;
  try {
    const [summary, transcripts, current] = await Promise.all([
      api(`${path}/summary`, { token }),
      api(`${path}/transcripts`, { token }),
      api(path),
    ]);
    shown.summary = summary;
    renderFigures(summary, languageName);
    renderTranscripts(s.sessionId, transcripts.languages, token, languageName);
    const box = $("transcript-public");
    box.checked = Boolean(current.transcriptPublic);
    box.onchange = () => share(path, token, box);
  } catch (e) {
    shown.error = e.message;
    $("summary-total").textContent = `The summary could not be loaded: ${e.message}.`;
  }
}

function minutes(m) {
  return m.toLocaleString([], { maximumFractionDigits: 1 });
}

function renderFigures(summary, languageName) {
  $("summary-total").textContent =
    `${summary.peakListeners} listeners at the peak · ${minutes(summary.listenerMinutes)} listener-minutes`;
  const rows = $("summary-rows");
  rows.replaceChildren();
  if (summary.languages.length === 0) {
    const tr = document.createElement("tr");
    const td = document.createElement("td");
    td.colSpan = 4;
    td.className = "muted";
    td.textContent = "Nobody listened and nothing was published.";
    tr.append(td);
    rows.append(tr);
    return;
  }
  for (const l of summary.languages) {
    const tr = document.createElement("tr");
    const audio = l.audio
      ? `${minutes(l.audio.minutes)} min by the ${l.audio.publishedBy} (${l.audio.codec})`
      : "original audio";
    for (const text of [`${languageName(l.language)} (${l.language})`, String(l.peakListeners), minutes(l.listenerMinutes), audio]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    rows.append(tr);
  }
}

function renderTranscripts(sessionId, codes, token, languageName) {
  const list = $("transcripts");
  list.replaceChildren();
  $("no-transcripts").hidden = codes.length > 0;
  for (const code of codes) {
    const li = document.createElement("li");
    li.append(`${languageName(code)}: `);
    for (const [format, label] of FORMATS) {
      const a = document.createElement("a");
      a.href = `/sessions/${codePath(sessionId)}/transcript?language=${code}&format=${format}`;
      a.textContent = label;
      a.download = `${sessionId}-${code}.${format}`;
      a.setAttribute("aria-label", `${languageName(code)} transcript, ${label}`);
      a.addEventListener("click", (event) => download(event, a, token));
      li.append(a, " ");
    }
    list.append(li);
  }
}

/** The transcript is the speaker's: fetched with the token, then saved from memory. */
async function download(event, a, token) {
  event.preventDefault();
  const response = await fetch(a.getAttribute("href"), { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) {
    $("summary-total").textContent = `The transcript could not be downloaded (${response.status}).`;
    return;
  }
  const url = URL.createObjectURL(await response.blob());
  const save = document.createElement("a");
  save.href = url;
  save.download = a.download;
  document.body.append(save);
  save.click();
  save.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

async function share(path, token, box) {
  box.disabled = true;
  try {
    await api(path, { method: "PATCH", token, body: { transcriptPublic: box.checked } });
  } catch (e) {
    box.checked = !box.checked;
    $("summary-total").textContent = `Could not change who may download: ${e.message}.`;
  } finally {
    box.disabled = false;
  }
}
