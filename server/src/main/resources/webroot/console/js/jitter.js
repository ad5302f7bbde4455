// A jitter buffer for one mono stream: frames go in at the stream's rate as they arrive, audio
// comes out at the output rate (linear interpolation). Playback starts once targetMs is queued,
// goes back to buffering on an underrun, and skips ahead when more than maxMs piles up (after a
// stall), so that delay stays near the target. Used inside the AudioWorklet and, where there
// is none, by the ScriptProcessor fallback.
export class JitterBuffer {
  constructor(outRate, { targetMs = 200, maxMs = 1000 } = {}) {
    this.outRate = outRate;
    this.targetMs = targetMs;
    this.maxMs = maxMs;
    this.srcRate = 0;
    this.ring = null;
    this.mask = 0;
    this.write = 0; // samples written since the ring was made (absolute)
    this.read = 0; // read position, fractional, absolute
    this.step = 1;
    this.buffering = true;
    this.played = 0; // output samples of real audio rendered
    this.underruns = 0;
    this.skips = 0;
  }

  setRate(rate) {
    if (rate === this.srcRate) return;
    this.srcRate = rate;
    this.step = rate / this.outRate;
    let size = 1;
    while (size < rate * 4) size <<= 1;
    this.ring = new Float32Array(size);
    this.mask = size - 1;
    this.write = 0;
    this.read = 0;
    this.buffering = true;
  }

  available() {
    return this.write - this.read;
  }

  push(samples, rate) {
    this.setRate(rate);
    const ring = this.ring;
    if (this.available() + samples.length > ring.length) {
      this.read = this.write + samples.length - ring.length;
      this.skips++;
    }
    for (let i = 0; i < samples.length; i++) {
      ring[(this.write + i) & this.mask] = samples[i];
    }
    this.write += samples.length;
    if (this.available() > (this.maxMs * rate) / 1000) {
      this.read = this.write - (this.targetMs * rate) / 1000;
      this.skips++;
    }
  }

  /** Drops what is queued and buffers again (a discontinuity, another language). */
  reset() {
    this.read = this.write;
    this.buffering = true;
  }

  /** Fills out with audio or silence; returns how many samples were real audio. */
  render(out) {
    if (!this.ring) {
      out.fill(0);
      return 0;
    }
    if (this.buffering) {
      if (this.available() < (this.targetMs * this.srcRate) / 1000) {
        out.fill(0);
        return 0;
      }
      this.buffering = false;
    }
    const ring = this.ring;
    const mask = this.mask;
    let n = 0;
    for (; n < out.length; n++) {
      if (this.write - this.read < 2) {
        out.fill(0, n);
        this.buffering = true;
        this.underruns++;
        break;
      }
      const i0 = Math.floor(this.read);
      const f = this.read - i0;
      const a = ring[i0 & mask];
      out[n] = a + (ring[(i0 + 1) & mask] - a) * f;
      this.read += this.step;
    }
    this.played += n;
    return n;
  }

  stats() {
    return {
      played: this.played,
      outRate: this.outRate,
      bufferedMs: this.srcRate ? Math.max(0, (this.available() * 1000) / this.srcRate) : 0,
      buffering: this.buffering,
      underruns: this.underruns,
      skips: this.skips,
    };
  }
}
