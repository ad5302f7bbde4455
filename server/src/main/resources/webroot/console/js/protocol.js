// What both pages share about the server: the HTTP API (docs/http-api.md) and the WebSocket
// protocol (docs/protocol.md): audio frame header, close codes, and a live connection that
// heartbeats, refreshes and reconnects the documented way.
//
// An ES module for browsers and Node (18+) alike (docs/client.md, "JavaScript"): nothing here
// touches a browser-only global when imported. In Node, give LiveConnection a server `url` and a
// `WebSocket` class (Node 22+ has a global one; before, the `ws` package's), and api() a `base`.

import { closeInfo } from "./closes.js";

/** Audio frame header: version, flags, language (2 ASCII), u32 sequence, i64 timestamp µs. */
export const HEADER_BYTES = 16;
/** Frames were skipped on purpose before this one: reset the jitter buffer, not a loss. */
export const FLAG_DISCONTINUITY = 1;
/** Re-sent from the replay window after a resume. */
export const FLAG_REPLAY = 2;

/** WebSocket.OPEN, the same in every implementation. */
const OPEN = 1;

/**
 * Splits a binary frame (an ArrayBuffer, or a view of one such as a Node Buffer) into its header
 * fields and a DataView of its payload; null if too short.
 */
export function parseFrame(buffer) {
  let view;
  if (buffer instanceof ArrayBuffer) {
    view = new DataView(buffer);
  } else if (ArrayBuffer.isView(buffer)) {
    view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } else {
    return null;
  }
  if (view.byteLength < HEADER_BYTES) {
    return null;
  }
  return {
    version: view.getUint8(0),
    flags: view.getUint8(1),
    language: String.fromCharCode(view.getUint8(2), view.getUint8(3)),
    seq: view.getUint32(4),
    timestampUs: Number(view.getBigInt64(8)),
    payload: new DataView(view.buffer, view.byteOffset + HEADER_BYTES, view.byteLength - HEADER_BYTES),
  };
}

/** PCM16 little-endian mono to floats in [-1, 1). */
export function pcm16ToFloat(payload) {
  const n = payload.byteLength >> 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = payload.getInt16(i * 2, true) / 32768;
  }
  return out;
}

export { closeInfo };

/** An HTTP error reply: its status, the stable code and the server's message. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/**
 * Calls the HTTP API; resolves to the parsed JSON (null for 204), rejects with ApiError. `base`
 * (e.g. "http://localhost:8080") is needed where there is no page to be relative to (Node).
 */
export async function api(path, { method = "GET", token = null, body = undefined, base = null } = {}) {
  const headers = { Accept: "application/json" };
  if (token) {
    headers.Authorization = `Bearer ${token}`;
  }
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
  }
  let response;
  try {
    response = await fetch(base ? new URL(path, base) : path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: "no-store",
    });
  } catch (e) {
    throw new ApiError(0, "NETWORK", "The server cannot be reached. Check your connection.");
  }
  if (response.status === 204) {
    return null;
  }
  let json = null;
  try {
    json = await response.json();
  } catch (e) {
    json = null;
  }
  if (!response.ok) {
    const message = json && json.error ? json.error : `The server answered ${response.status}.`;
    throw new ApiError(response.status, json && json.code ? json.code : "HTTP_" + response.status, message);
  }
  return json;
}

/** The session code as a URL path segment: the server forgives case and spaces itself. */
export function codePath(code) {
  return encodeURIComponent(code.trim());
}

export async function languages({ base = null } = {}) {
  const json = await api("/languages", { base });
  return json.languages;
}

/** The first of the browser's preferred languages (or of `tags`) that the server supports, or null. */
export function browserLanguage(supported, tags = preferredLanguages()) {
  const codes = new Set(supported.map((l) => l.code));
  for (const tag of tags) {
    const base = String(tag || "").toLowerCase().split("-")[0];
    if (codes.has(base)) {
      return base;
    }
    if (base === "nb" || base === "nn") {
      if (codes.has("no")) return "no";
    }
  }
  return null;
}

function preferredLanguages() {
  const nav = globalThis.navigator;
  if (!nav) return [];
  return nav.languages || [nav.language];
}

/**
 * The /ws URL for `query` on `base` (http(s): or ws(s): URL of the server); without `base`, the
 * page's own server.
 */
export function wsUrl(query, base = null) {
  const origin = new URL(base || globalThis.location.href);
  const scheme = origin.protocol === "https:" || origin.protocol === "wss:" ? "wss:" : "ws:";
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v !== undefined && v !== null && v !== "") {
      params.set(k, String(v));
    }
  }
  return `${scheme}//${origin.host}/ws?${params}`;
}

/**
 * One logical connection to /ws, made of successive WebSockets. It sends heartbeats, performs
 * the refresh flow (a new socket with previousConnectionId; the old one is closed once the new
 * one's sessionJoined arrives, so nothing is missed) on connectionRefreshRequired or refresh(),
 * and reconnects after a close whose code says so. Messages of a replaced socket are ignored
 * from the moment its successor has joined.
 *
 * handlers: onMessage(msg), onAudio(arrayBuffer), onJoined(msg, {refreshed, reconnected}),
 * onClosed({code, text, error, reconnecting, delayMs}), onRefreshing().
 * query(): the base query; resumeQuery(): extra parameters for a refresh or reconnect.
 * url: the server (e.g. "http://localhost:8080"; default: the page's); WebSocket: the WebSocket
 * class to use (default: globalThis.WebSocket; in Node 20, the `ws` package's).
 * maxBackoffMs(): the longest wait between reconnect attempts (default 15 s; a page that is
 * visible asks for less). reconnectNow() skips the wait (the network is back), or replaces a
 * socket that has stalled.
 */
export class LiveConnection {
  constructor({
    query,
    resumeQuery = () => ({}),
    handlers,
    url = null,
    WebSocket = globalThis.WebSocket,
    maxBackoffMs = () => 15000,
  }) {
    if (typeof WebSocket !== "function") {
      throw new TypeError("no WebSocket class: pass one (e.g. the ws package's) as `WebSocket`");
    }
    this.url = url;
    this.WebSocketClass = WebSocket;
    this.query = query;
    this.resumeQuery = resumeQuery;
    this.h = handlers;
    this.current = null; // the socket whose messages count
    this.pending = null; // a refresh in progress: joins, then becomes current
    this.stopped = true;
    this.attempts = 0;
    this.heartbeatMs = 30000;
    this.heartbeatTimer = null;
    this.reconnectTimer = null;
    this.requestId = 0;
    this.lastId = null; // the last connectionId the server gave us: what a reconnect names
    this.maxBackoffMs = maxBackoffMs;
    this.lastHeardAt = 0; // Date.now() of the last message or frame on the current socket
    this.lastFrameAt = 0; // Date.now() of the last audio frame
    this.waiting = false; // a reconnect is scheduled
  }

  get connectionId() {
    return this.current ? this.current.id : null;
  }

  get open() {
    return !!(this.current && this.current.joined && this.current.ws.readyState === OPEN);
  }

  /** Writable WebSocket for audio, or null. */
  get socket() {
    return this.open ? this.current.ws : null;
  }

  start() {
    this.stopped = false;
    this.attempts = 0;
    this.lastId = null;
    this.current = this.connect({}, "start");
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.heartbeatTimer);
    for (const c of [this.pending, this.current]) {
      if (c) {
        c.retired = true;
        if (c.ws.readyState <= OPEN) c.ws.close(1000, "bye");
      }
    }
    this.pending = null;
    this.current = null;
  }

  /**
   * The session ended: no more reconnects, and the server closes the socket itself (4410); we
   * close it only if it has not after a few seconds.
   */
  finish() {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.heartbeatTimer);
    const conns = [this.pending, this.current].filter((c) => c);
    for (const c of conns) c.retired = true; // nothing after the end counts
    setTimeout(() => {
      for (const c of conns) {
        if (c.ws.readyState <= OPEN) c.ws.close(1000, "ended");
      }
    }, 3000);
  }

  /** The refresh flow, on demand or on connectionRefreshRequired. */
  refresh() {
    if (this.stopped || !this.current || !this.current.id || this.pending) {
      return false;
    }
    if (this.h.onRefreshing) this.h.onRefreshing();
    this.pending = this.connect(
      { action: "refreshConnection", previousConnectionId: this.current.id, ...this.resumeQuery() },
      "refresh",
    );
    return true;
  }

  send(message) {
    if (!this.open) return false;
    this.current.ws.send(JSON.stringify({ ...message, requestId: ++this.requestId }));
    return true;
  }

  /** A new socket that resumes after the last connection (its id, and resumeQuery()). */
  reconnect() {
    this.waiting = false;
    if (this.stopped) return;
    const previous = this.lastId;
    const resume = previous ? { previousConnectionId: previous, ...this.resumeQuery() } : {};
    this.current = this.connect(resume, "reconnect");
  }

  /**
   * Reconnects at once: when a reconnect is waiting (the network is back, the page visible again),
   * or, with stalled, in place of a socket that delivers nothing (closed here, not waited for).
   * Returns whether a new socket was opened.
   */
  reconnectNow({ stalled = false } = {}) {
    if (this.stopped || this.pending) return false;
    if (this.waiting) {
      clearTimeout(this.reconnectTimer);
      this.reconnect();
      return true;
    }
    const c = this.current;
    if (!stalled || !c) return false;
    c.retired = true;
    clearInterval(this.heartbeatTimer);
    if (c.ws.readyState <= OPEN) c.ws.close(4000, "stalled");
    this.reconnect();
    return true;
  }

  connect(extra, why) {
    const conn = { ws: null, id: null, joined: false, retired: false, error: null, why };
    conn.ws = new this.WebSocketClass(wsUrl({ ...this.query(), ...extra }, this.url));
    conn.ws.binaryType = "arraybuffer";
    conn.ws.onmessage = (event) => this.message(conn, event.data);
    conn.ws.onclose = (event) => this.closed(conn, event);
    return conn;
  }

  message(conn, data) {
    if (conn.retired) return;
    if (conn === this.current) this.lastHeardAt = Date.now();
    if (conn === this.current && typeof data !== "string") this.lastFrameAt = this.lastHeardAt;
    if (typeof data !== "string") {
      if (conn === this.current && conn.joined) this.h.onAudio(data, conn.id);
      return;
    }
    let msg;
    try {
      msg = JSON.parse(data);
    } catch (e) {
      return;
    }
    if (msg.type === "sessionJoined") {
      this.joined(conn, msg);
      return;
    }
    if (msg.type === "error") {
      conn.error = msg;
    }
    if (msg.type === "connectionRefreshRequired" && conn === this.current) {
      this.refresh();
    }
    if (conn === this.current || msg.type === "error") {
      this.h.onMessage(msg, conn === this.current);
    }
  }

  joined(conn, msg) {
    conn.id = msg.connectionId;
    conn.joined = true;
    this.lastId = conn.id;
    this.attempts = 0;
    const refreshed = conn === this.pending;
    if (refreshed) {
      const old = this.current;
      this.pending = null;
      this.current = conn;
      if (old) {
        old.retired = true;
        if (old.ws.readyState <= OPEN) old.ws.close(1000, "refreshed");
      }
    }
    if (msg.heartbeatIntervalMs > 0) {
      this.heartbeatMs = msg.heartbeatIntervalMs;
    }
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = setInterval(() => this.send({ action: "heartbeat" }), this.heartbeatMs);
    this.h.onJoined(msg, { refreshed, reconnected: conn.why === "reconnect" });
  }

  closed(conn, event) {
    if (conn.retired || this.stopped) return;
    if (conn === this.pending) {
      // The refresh failed before joining; the current socket carries on (and will be asked again).
      this.pending = null;
      return;
    }
    if (conn !== this.current) return;
    clearInterval(this.heartbeatTimer);
    const info = closeInfo(event.code);
    const error = conn.error;
    const reconnect = info.reconnect && !(error && error.code === "SESSION_ENDED");
    let delayMs = 0;
    if (reconnect) {
      this.attempts++;
      const backoff = Math.min(this.maxBackoffMs(), 500 * 2 ** Math.min(this.attempts, 5));
      delayMs = error && error.retryAfterMs ? error.retryAfterMs : this.attempts === 1 ? 250 : backoff;
      delayMs = Math.round(delayMs * (0.8 + Math.random() * 0.4));
      this.waiting = true;
      this.reconnectTimer = setTimeout(() => this.reconnect(), delayMs);
    }
    this.h.onClosed({
      code: event.code,
      text: error && error.message && !reconnect ? error.message : info.text,
      error,
      reconnecting: reconnect,
      delayMs,
    });
  }
}
