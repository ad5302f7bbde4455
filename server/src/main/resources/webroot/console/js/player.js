// The listener's audio output: an AudioContext with the jitter buffer in an AudioWorklet (or a
// ScriptProcessor where AudioWorklet is missing), played through an <audio> element fed by a
// MediaStreamAudioDestinationNode, so that phones treat it as media playback (through the
// silent switch, on with the screen locked where the browser allows) rather than as the
// "ambient" Web Audio that a ringer switch mutes. start() should run in a user gesture (Play).
import { JitterBuffer } from "./jitter.js";

const wait = (ms) => new Promise((resolve) => setTimeout(() => resolve(false), ms));

export class Player {
  /**
   * onFirstSound(): the first non-zero sample left the player (time to sound); onSoundStart():
   * the jitter buffer starts playing (again, after a stall or a drop).
   * onStateChange(state): the AudioContext's state changed ("running", "suspended",
   * "interrupted", "closed").
   */
  constructor({ targetMs = 200, maxMs = 1000, onFirstSound, onSoundStart, onStateChange } = {}) {
    this.options = { targetMs, maxMs };
    this.onSoundStart = onSoundStart || (() => {});
    this.onFirstSound = onFirstSound || (() => {});
    this.onStateChange = onStateChange || (() => {});
    this.ctx = null;
    this.node = null;
    this.element = null; // the <audio> element the sound plays through, or null (destination)
    this.fallback = null; // the JitterBuffer when it runs on the main thread
    this.sounded = false;
    this.early = []; // [samples, rate] pushed before the graph was built
    this.stats = { played: 0, outRate: 1, bufferedMs: 0, buffering: true, underruns: 0, skips: 0 };
  }

  async start() {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) throw new Error("This browser cannot play live audio (no Web Audio).");
    try {
      // The stream's usual rate: the browser resamples once, to the device, in native code.
      this.ctx = new Ctx({ latencyHint: "interactive", sampleRate: 16000 });
    } catch (e) {
      this.ctx = new Ctx({ latencyHint: "interactive" });
    }
    const ctx = this.ctx;
    ctx.onstatechange = () => {
      if (this.ctx === ctx) this.onStateChange(ctx.state);
    };
    const resumed = ctx.resume(); // now, while the click still counts as a gesture
    // The <audio> element and its source, started now too (still in the gesture).
    const destination = this.mediaDestination();
    const playing = this.element ? this.element.play() : Promise.resolve();
    playing.catch(() => {}); // looked at below, once the graph is built
    if (ctx.audioWorklet && window.AudioWorkletNode) {
      try {
        await ctx.audioWorklet.addModule("/console/js/player-worklet.js");
        this.node = new AudioWorkletNode(ctx, "pentecost-player", {
          numberOfInputs: 0,
          numberOfOutputs: 1,
          outputChannelCount: [1],
          processorOptions: this.options,
        });
        this.node.port.onmessage = (event) => this.report(event.data);
      } catch (e) {
        this.node = null;
      }
    }
    if (!this.node) {
      this.fallback = new JitterBuffer(ctx.sampleRate, this.options);
      this.node = ctx.createScriptProcessor(1024, 1, 1);
      this.node.onaudioprocess = (event) => {
        const out = event.outputBuffer.getChannelData(0);
        this.fallback.render(out);
        this.report({ ...this.fallback.stats(), sounded: this.sounded || out.some((x) => x !== 0) });
      };
    }
    this.node.connect(destination || ctx.destination);
    for (const [samples, rate] of this.early.splice(0)) this.push(samples, rate);
    // Without a gesture (a reload that plays again) the browser may refuse, or leave resume()
    // pending until one: then the caller asks for one tap (resume()).
    const settled = (p) => Promise.race([p.then(() => true, () => false), wait(1500)]);
    await Promise.all([settled(resumed), settled(playing)]);
    if (!this.audible) {
      const e = new Error("the browser wants a tap before it plays sound");
      e.name = "NotAllowedError";
      throw e;
    }
  }

  /**
   * A MediaStreamAudioDestinationNode playing through a new <audio> element (this.element); null
   * where the browser has neither (the context's own destination is used then).
   */
  mediaDestination() {
    if (!this.ctx.createMediaStreamDestination || typeof Audio !== "function") return null;
    const element = new Audio();
    if (!("srcObject" in element)) return null;
    const destination = this.ctx.createMediaStreamDestination();
    element.setAttribute("playsinline", "");
    element.srcObject = destination.stream;
    this.element = element;
    return destination;
  }

  /** Whether sound can reach the listener now: the context runs and the element plays. */
  get audible() {
    return !!this.ctx && this.ctx.state === "running" && !(this.element && this.element.paused);
  }

  /** Resumes a suspended or interrupted context and a paused element (best in a user gesture). */
  async resume() {
    if (!this.ctx) return false;
    if (this.ctx.state !== "running") await this.ctx.resume();
    if (this.element && this.element.paused) await this.element.play();
    return this.audible;
  }

  /** The jitter buffer's stats; notes when sound first flows, and each time it flows again. */
  report(stats) {
    const started = this.stats.buffering && !stats.buffering;
    this.stats = stats;
    if (started) this.onSoundStart();
    if (stats.sounded && !this.sounded) {
      this.sounded = true;
      this.onFirstSound();
    }
  }

  get running() {
    return !!this.ctx && this.ctx.state !== "closed";
  }

  push(samples, rate) {
    if (!this.node) {
      if (this.ctx) this.early.push([samples, rate]); // the worklet is still loading
      return;
    }
    if (this.fallback) this.fallback.push(samples, rate);
    else this.node.port.postMessage({ type: "push", samples, rate }, [samples.buffer]);
  }

  reset() {
    this.early.length = 0;
    if (!this.node) return;
    if (this.fallback) this.fallback.reset();
    else this.node.port.postMessage({ type: "reset" });
  }

  /** Seconds of real audio played (silence while buffering does not count). */
  get playedSeconds() {
    return this.stats.played / this.stats.outRate;
  }

  async stop() {
    const ctx = this.ctx;
    this.ctx = null;
    this.node = null;
    this.fallback = null;
    if (this.element) {
      this.element.pause();
      this.element.srcObject = null;
      this.element = null;
    }
    if (ctx && ctx.state !== "closed") await ctx.close();
  }
}
