#!/usr/bin/env node
// A listener in Node: joins a session for one language and prints what it receives (audio frames,
// captions, stream and session events), using the same module as the web console
// (server/src/main/resources/webroot/console/js/protocol.js) for the frame header, the HTTP API
// and a connection that heartbeats, refreshes and reconnects as docs/protocol.md says.
//
//   node listener.mjs --url http://localhost:8080 --session blessed-shepherd-427 --language es
//
// --frames N --captions M: exit (0) once N frames and M captions have arrived.
import { parseArgs } from "node:util";
import {
  api,
  ApiError,
  codePath,
  FLAG_DISCONTINUITY,
  LiveConnection,
  parseFrame,
} from "../../server/src/main/resources/webroot/console/js/protocol.js";

// Node 22+ has a WebSocket of its own; Node 18 and 20 take the `ws` package's.
const WebSocket = globalThis.WebSocket ?? (await import("ws")).default;

const { values: opts } = parseArgs({
  options: {
    url: { type: "string", default: "http://localhost:8080" },
    session: { type: "string" },
    language: { type: "string" },
    fallback: { type: "boolean", default: false },
    every: { type: "string", default: "50" },
    frames: { type: "string" },
    captions: { type: "string", default: "0" },
  },
});
if (!opts.session) {
  console.error("usage: node listener.mjs --session CODE [--language es] [--url http://localhost:8080]");
  process.exit(2);
}
const every = Math.max(1, Number(opts.every));
const wantFrames = opts.frames === undefined ? Infinity : Number(opts.frames);
const wantCaptions = Number(opts.captions);

try {
  const s = await api(`/sessions/${codePath(opts.session)}`, { base: opts.url });
  console.log(`session ${s.sessionId} ${s.status} source=${s.sourceLanguage} listeners=${s.listenerCount}`);
} catch (e) {
  console.error(e instanceof ApiError ? `session: ${e.status} ${e.code}: ${e.message}` : e);
  process.exit(1);
}

let frames = 0;
let captions = 0;
let lastSeq = 0; // what a refresh or reconnect resumes from
let lost = 0;

function done() {
  if (frames >= wantFrames && captions >= wantCaptions) {
    console.log(`done frames=${frames} captions=${captions} lost=${lost}`);
    live.stop();
    process.exit(0);
  }
}

const live = new LiveConnection({
  url: opts.url,
  WebSocket,
  query: () => ({
    sessionId: opts.session,
    targetLanguage: opts.language,
    fallback: opts.fallback ? "source" : undefined,
  }),
  resumeQuery: () => (lastSeq ? { lastSeq } : {}),
  handlers: {
    onJoined(msg, { refreshed, reconnected }) {
      const how = refreshed ? " (refreshed)" : reconnected ? " (reconnected)" : "";
      const audio = msg.audio ? JSON.stringify(msg.audio) : "none yet";
      console.log(`joined ${msg.connectionId}${how} language=${msg.targetLanguage} hearing=${msg.audioLanguage} audio=${audio}`);
    },
    onAudio(data) {
      const f = parseFrame(data);
      if (!f) return;
      if (lastSeq && f.seq > lastSeq + 1 && !(f.flags & FLAG_DISCONTINUITY)) {
        lost += f.seq - lastSeq - 1;
      }
      lastSeq = f.seq;
      frames++;
      if (frames === 1 || frames % every === 0) {
        console.log(`frame ${f.language} seq=${f.seq} bytes=${f.payload.byteLength} frames=${frames} lost=${lost}`);
      }
      done();
    },
    onMessage(msg) {
      switch (msg.type) {
        case "caption":
          captions++;
          console.log(`caption ${msg.language} ${msg.final ? "final" : "interim"}: ${msg.text}`);
          done();
          break;
        case "streamStarted":
          console.log(`streamStarted ${msg.language} ${JSON.stringify(msg.audio)}`);
          break;
        case "sessionEnded":
          console.log("sessionEnded");
          live.finish();
          setTimeout(() => process.exit(0), 100);
          break;
        case "heartbeatAck":
          break;
        default:
          console.log(`${msg.type}${msg.code ? ` ${msg.code}: ${msg.message}` : ""}`);
      }
    },
    onClosed({ code, text, reconnecting, delayMs }) {
      console.log(`closed ${code}: ${text}${reconnecting ? ` (again in ${delayMs} ms)` : ""}`);
      if (!reconnecting) process.exit(code === 1000 || code === 4410 ? 0 : 1);
    },
  },
});
live.start();
