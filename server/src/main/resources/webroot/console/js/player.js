// The listener's audio output: an AudioContext with the jitter buffer in an AudioWorklet, or in
// a ScriptProcessor where AudioWorklet is missing. start() must run in a user gesture (Play).
import { JitterBuffer } from "./jitter.js";

export class Player {
  constructor({ targetMs = 200, maxMs = 1000 } = {}) {
    this.options = { targetMs, maxMs };
    this.ctx = null;
    this.node = null;
    this.fallback = null; // the JitterBuffer when it runs on the main thread
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
    const resumed = this.ctx.resume(); // now, while the click still counts as a gesture
    if (this.ctx.audioWorklet && window.AudioWorkletNode) {
      try {
        await this.ctx.audioWorklet.addModule("/console/js/player-worklet.js");
        this.node = new AudioWorkletNode(this.ctx, "pentecost-player", {
          numberOfInputs: 0,
          numberOfOutputs: 1,
          outputChannelCount: [1],
          processorOptions: this.options,
        });
        this.node.port.onmessage = (event) => {
          this.stats = event.data;
        };
      } catch (e) {
        this.node = null;
      }
    }
    if (!this.node) {
      this.fallback = new JitterBuffer(this.ctx.sampleRate, this.options);
      this.node = this.ctx.createScriptProcessor(1024, 1, 1);
      this.node.onaudioprocess = (event) => {
        this.fallback.render(event.outputBuffer.getChannelData(0));
        this.stats = this.fallback.stats();
      };
    }
    this.node.connect(this.ctx.destination);
    await resumed;
  }

  get running() {
    return !!this.ctx && this.ctx.state !== "closed";
  }

  push(samples, rate) {
    if (!this.node) return;
    if (this.fallback) this.fallback.push(samples, rate);
    else this.node.port.postMessage({ type: "push", samples, rate }, [samples.buffer]);
  }

  reset() {
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
    if (ctx && ctx.state !== "closed") await ctx.close();
  }
}
