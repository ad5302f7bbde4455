// What a phone needs around the listener's player: the audio session type, Media Session
// metadata and controls (the lock screen, headphones, the notification shade), a screen wake
// lock while playing, and an interrupted or suspended AudioContext resumed by itself, or by one
// tap when the browser insists on a gesture. Each feature is used only where the browser has it.
import { Player } from "./player.js";

/** Tells WebKit (Safari 16.4+) this page plays media: it is not muted by the ringer switch. */
export function declarePlayback() {
  try {
    if (navigator.audioSession) navigator.audioSession.type = "playback";
  } catch (e) {
    // an older draft of the API: nothing to do
  }
}

/** Media Session: what plays (the session code, the language) and play/pause handlers. */
export function showMediaSession({ title, artist, onPlay, onPause }) {
  const ms = navigator.mediaSession;
  if (!ms) return;
  try {
    if (window.MediaMetadata) ms.metadata = new MediaMetadata({ title, artist, album: "Pentecost" });
    ms.setActionHandler("play", onPlay);
    ms.setActionHandler("pause", onPause);
    ms.setActionHandler("stop", onPause);
    ms.playbackState = "playing";
  } catch (e) {
    // an action this browser does not know
  }
}

export function clearMediaSession() {
  const ms = navigator.mediaSession;
  if (!ms) return;
  ms.playbackState = "none";
  ms.metadata = null;
  for (const action of ["play", "pause", "stop"]) {
    try {
      ms.setActionHandler(action, null);
    } catch (e) {
      // not supported
    }
  }
}

/**
 * A screen wake lock held while playing (a listener following captions, or a phone that would
 * otherwise lock and stop the audio); the browser releases it when the page is hidden, so it is
 * taken again when the page is visible.
 */
export class WakeLock {
  constructor() {
    this.wanted = false;
    this.sentinel = null;
    document.addEventListener("visibilitychange", () => {
      if (this.wanted && document.visibilityState === "visible") this.acquire();
    });
  }

  get held() {
    return !!this.sentinel && !this.sentinel.released;
  }

  async acquire() {
    this.wanted = true;
    if (!navigator.wakeLock || this.held || document.visibilityState !== "visible") return;
    try {
      this.sentinel = await navigator.wakeLock.request("screen");
      if (!this.wanted) this.release();
    } catch (e) {
      this.sentinel = null; // refused (battery saver, no permission): playback goes on
    }
  }

  release() {
    this.wanted = false;
    const s = this.sentinel;
    this.sentinel = null;
    if (s && !s.released) s.release().catch(() => {});
  }
}

/**
 * Keeps a player audible: when its context is suspended or interrupted (a phone call, Siri,
 * another app) or its <audio> element pauses without the listener asking, tries to resume at
 * once; if the browser refuses without a gesture, calls onNeedsTap(); onAudible() once sound can
 * flow again. stats.interruptions and stats.autoResumes count what happened.
 */
export class Keeper {
  constructor(stats, { onNeedsTap, onAudible }) {
    this.stats = stats;
    this.onNeedsTap = onNeedsTap;
    this.onAudible = onAudible;
    this.player = null;
    this.needsTap = false;
    this.checking = false;
    document.addEventListener("visibilitychange", () => {
      if (document.visibilityState === "visible" && this.player && !this.player.audible) this.check();
    });
  }

  watch(player) {
    this.player = player;
    this.needsTap = false;
    if (player.element) {
      player.element.addEventListener("pause", () => {
        if (this.player === player && player.element) this.check();
      });
    }
  }

  unwatch() {
    this.player = null;
    this.needsTap = false;
  }

  /** The context's state changed (or the element paused): resume it if it stopped. */
  async check() {
    const player = this.player;
    if (!player || player.audible || !player.running || this.checking) return;
    this.checking = true;
    this.stats.interruptions++;
    try {
      await this.tryResume(player);
    } finally {
      this.checking = false;
    }
  }

  async tryResume(player) {
    try {
      // A bounded wait: some browsers leave resume() pending until a gesture.
      const ok = await Promise.race([player.resume(), new Promise((r) => setTimeout(() => r(false), 1000))]);
      if (this.player !== player) return;
      if (ok && player.audible) {
        this.stats.autoResumes++;
        this.needsTap = false;
        this.onAudible();
        return;
      }
    } catch (e) {
      // NotAllowedError and the like: a gesture is needed
    }
    if (this.player === player && !player.audible) {
      this.needsTap = true;
      this.onNeedsTap();
    }
  }

  /** The listener tapped "resume": resume within the gesture. */
  async tap() {
    const player = this.player;
    if (!player) return false;
    try {
      await player.resume();
    } catch (e) {
      return false;
    }
    if (this.player === player && player.audible) {
      this.needsTap = false;
      this.onAudible();
      return true;
    }
    return false;
  }
}

/**
 * All of the above for one page: a Player made with the page's time-to-sound hooks, started with
 * the phone's needs (audio session, a watch on interruptions), then the Media Session and the
 * wake lock while it plays. stats: firstSoundMs, soundStarts, interruptions, autoResumes,
 * wakeLock; onChange(): the sound became audible, or needs a tap.
 */
export class Playback {
  constructor(stats, onChange) {
    this.stats = stats;
    this.wakeLock = new WakeLock();
    this.keeper = new Keeper(stats, { onNeedsTap: onChange, onAudible: onChange });
  }

  get needsTap() {
    return this.keeper.needsTap;
  }

  newPlayer() {
    const stats = this.stats;
    return new Player({
      targetMs: 200,
      maxMs: 1000,
      onFirstSound: () => {
        if (stats.firstSoundMs === null) stats.firstSoundMs = performance.now();
      },
      onSoundStart: () => {
        stats.soundStarts.push(performance.now());
        if (stats.soundStarts.length > 20) stats.soundStarts.shift();
      },
      onStateChange: () => this.keeper.check(),
    });
  }

  /** Starts player; a browser that wants a gesture first leaves it waiting for tap(). */
  async start(player) {
    declarePlayback();
    try {
      await player.start();
      this.stats.output = player.element ? "element" : "destination";
    } catch (e) {
      if (!(e && e.name === "NotAllowedError")) throw e;
      if (!player.running) return; // stopped meanwhile
      this.keeper.watch(player);
      this.keeper.needsTap = true; // the connection goes on; one tap brings the sound
      return;
    }
    if (player.running) this.keeper.watch(player); // from now on, a stop is an interruption
  }

  /** Connected: the lock screen shows what plays; the screen stays on. */
  playing(metadata) {
    showMediaSession(metadata);
    this.wakeLock.acquire().then(() => (this.stats.wakeLock = this.wakeLock.held));
  }

  tap() {
    return this.keeper.tap();
  }

  stop() {
    this.keeper.unwatch();
    this.wakeLock.release();
    this.stats.wakeLock = false;
    clearMediaSession();
  }
}
