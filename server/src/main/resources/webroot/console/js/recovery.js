// The listener's connection kept honest and quick to come back: reconnect at once when the
// browser says the network is back (`online`) or the page is visible again, and find a socket
// that has stalled (open, yet nothing arrives): after a quiet spell it sends a cheap request
// (getSessionStatus); an answer means the connection is fine and the speaker is simply not
// sending; no answer means the connection is lost, and a new one resumes after lastSeq.

/** How long without any message or frame before the connection is probed. */
export const QUIET_MS = 1500;
/** While the speaker stays silent (probes answered, no frame), probes space out up to this. */
const QUIET_MAX_MS = 6000;
/** How long a probe may go unanswered before the socket counts as stalled. */
export const PROBE_MS = 1500;

export class Recovery {
  /**
   * live(): the LiveConnection, or null when not playing; onChange(): the connection's health
   * changed (see `lost`, `offline`); stats: `stalls` and `fastReconnects` are counted there.
   */
  constructor({ live, onChange, stats }) {
    this.live = live;
    this.onChange = onChange;
    this.stats = stats;
    this.probeSentAt = 0; // Date.now() of the unanswered probe, or 0
    this.answeredAt = 0; // Date.now() of the last answered probe
    this.quietMs = QUIET_MS;
    this.lost = false; // the socket stalled: a new one is on its way
    window.addEventListener("online", () => this.now("online"));
    window.addEventListener("offline", () => {
      const live = this.live();
      if (live && live.open) this.probe(live); // does the socket survive? (it rarely does)
      this.onChange();
    });
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible") this.now("visible");
    });
    setInterval(() => this.tick(), 250);
  }

  /**
   * The connection answered after the last audio frame, and no probe is pending: the speaker is
   * not sending (rather than the connection being lost).
   */
  get speakerSilent() {
    const live = this.live();
    return !!live && !this.probeSentAt && this.answeredAt > live.lastFrameAt;
  }

  /** No network at all, as far as the browser knows. */
  get offline() {
    return navigator.onLine === false;
  }

  /** The longest wait between reconnects: short while someone may be listening. */
  maxBackoffMs() {
    return document.visibilityState === "visible" ? 2000 : 15000;
  }

  /** The network is back, or the page visible again: a waiting reconnect goes now. */
  now(why) {
    const live = this.live();
    this.onChange();
    if (!live) return;
    if (live.reconnectNow()) {
      this.stats.fastReconnects++;
    } else if (why === "online" && live.open) {
      this.probe(live); // the socket may have died with the old network
    }
  }

  /** A socket joined (a start, refresh or reconnect): it is healthy. */
  joined() {
    this.probeSentAt = 0;
    this.answeredAt = 0;
    this.quietMs = QUIET_MS;
    if (this.lost) {
      this.lost = false;
      this.onChange();
    }
  }

  probe(live) {
    if (this.probeSentAt) return;
    if (live.send({ action: "getSessionStatus" })) this.probeSentAt = Date.now();
  }

  tick() {
    const live = this.live();
    if (!live || !live.open) {
      this.probeSentAt = 0;
      return;
    }
    const now = Date.now();
    if (this.probeSentAt && live.lastHeardAt >= this.probeSentAt) {
      // Answered (or something else arrived): the connection is up. Still no audio: the speaker
      // is not sending, and the next probes can wait longer.
      const silent = live.lastFrameAt < this.probeSentAt;
      this.quietMs = silent ? Math.min(QUIET_MAX_MS, this.quietMs * 2) : QUIET_MS;
      this.answeredAt = now;
      this.probeSentAt = 0;
    }
    if (now - live.lastFrameAt < QUIET_MS) this.quietMs = QUIET_MS;
    if (!this.probeSentAt) {
      if (now - live.lastHeardAt > this.quietMs) this.probe(live);
      return;
    }
    if (now - this.probeSentAt > PROBE_MS) {
      this.probeSentAt = 0;
      this.stats.stalls++;
      this.lost = true;
      this.onChange();
      live.reconnectNow({ stalled: true });
    }
  }
}
