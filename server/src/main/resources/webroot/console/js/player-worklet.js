// AudioWorklet side of the listener's player: a JitterBuffer rendered into the audio graph.
// Messages: {type: "push", samples: Float32Array, rate}, {type: "reset"}.
import { JitterBuffer } from "./jitter.js";

class PentecostPlayer extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.jitter = new JitterBuffer(sampleRate, options.processorOptions || {});
    this.sinceReport = 0;
    this.sounded = false; // a non-zero sample has left the player (reported at once)
    this.wasBuffering = true;
    this.port.onmessage = (event) => {
      const m = event.data;
      if (m.type === "push") this.jitter.push(m.samples, m.rate);
      else if (m.type === "reset") this.jitter.reset();
    };
  }

  process(inputs, outputs) {
    const channels = outputs[0];
    if (!channels || channels.length === 0) return true;
    const out = channels[0];
    this.jitter.render(out);
    for (let c = 1; c < channels.length; c++) channels[c].set(out);
    this.sinceReport += out.length;
    let first = false;
    if (!this.sounded && out.some((x) => x !== 0)) {
      this.sounded = true;
      first = true;
    }
    // At once when sound starts or stops (time to sound, recovery), else ten times a second.
    const changed = this.jitter.buffering !== this.wasBuffering;
    this.wasBuffering = this.jitter.buffering;
    if (first || changed || this.sinceReport >= sampleRate / 10) {
      this.sinceReport = 0;
      this.port.postMessage({ ...this.jitter.stats(), sounded: this.sounded });
    }
    return true;
  }
}

registerProcessor("pentecost-player", PentecostPlayer);
