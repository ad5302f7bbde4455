// Microphone audio to the wire format: mono, 16 kHz (by default), PCM16 little-endian, cut in
// frames of frameMs. When the capture runs at another rate, the samples are resampled through a
// windowed-sinc low-pass (Blackman window, cut-off at 45 % of the lower rate, more than 70 dB down
// from 55 % on), so that nothing above the output's Nyquist frequency folds back into the speech
// band. The filter is evaluated only at the output instants, from a table of its phases (exact for
// rational rate pairs such as 48000/16000 or 44100/16000). Runs in the capture AudioWorklet and,
// where there is none, in the ScriptProcessor fallback; pure JS, no DOM.

const PASS = 0.47; // cut-off (half amplitude), as a fraction of the lower rate
const TRANSITION = 0.08; // the transition band around it, as a fraction of the lower rate
const BLACKMAN_WIDTH = 5.5; // a Blackman window's transition band times its length
const MAX_PHASES = 4096;

function gcd(a, b) {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * The filter's taps for each phase: phases x taps, taps summing to 1 (unity gain at DC). Row p
 * holds, for the output instant p/phases of a sample past an input sample, the weight of each of
 * the taps input samples around it.
 */
export function designFilter(inRate, outRate) {
  const lower = Math.min(inRate, outRate);
  const cutoff = (PASS * lower) / inRate; // cycles per input sample
  const taps = 2 * Math.ceil((BLACKMAN_WIDTH * inRate) / (TRANSITION * lower) / 2);
  const phases = Math.min(outRate / gcd(inRate, outRate), MAX_PHASES);
  const half = taps / 2;
  const table = new Float32Array((phases + 1) * taps);
  for (let p = 0; p <= phases; p++) {
    const frac = p / phases;
    let sum = 0;
    for (let j = 0; j < taps; j++) {
      const t = frac + half - 1 - j; // from the input sample to the output instant
      const x = 2 * cutoff * t;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const w = (t + half) / taps; // 0..1 across the window
      const window = 0.42 - 0.5 * Math.cos(2 * Math.PI * w) + 0.08 * Math.cos(4 * Math.PI * w);
      const h = w <= 0 || w >= 1 ? 0 : 2 * cutoff * sinc * window;
      table[p * taps + j] = h;
      sum += h;
    }
    for (let j = 0; j < taps; j++) table[p * taps + j] /= sum;
  }
  return { taps, phases, table };
}

export class Downsampler {
  constructor(inRate, { outRate = 16000, frameMs = 20 } = {}) {
    this.inRate = Math.round(inRate);
    this.outRate = outRate;
    this.frameSamples = Math.round((outRate * frameMs) / 1000);
    this.frame = new Int16Array(this.frameSamples);
    this.filled = 0;
    this.peak = 0;
    this.direct = this.inRate === outRate;
    if (!this.direct) {
      const { taps, phases, table } = designFilter(this.inRate, outRate);
      this.taps = taps;
      this.phases = phases;
      this.table = table;
      // Input history: starts with half a filter of silence, so output 0 is centred on input 0.
      this.history = new Float32Array(4 * taps + 8192);
      this.length = taps / 2 - 1; // samples held
      this.whole = 0; // the next output instant, in input samples from history[taps/2 - 1] ...
      this.rem = 0; // ... plus rem / outRate of a sample
      this.step = Math.floor(this.inRate / outRate);
      this.stepRem = this.inRate % outRate;
    }
  }

  /** Feeds input channels (Float32Arrays); calls emit(ArrayBuffer, peak) per complete frame. */
  push(channels, emit) {
    const n = channels.length ? channels[0].length : 0;
    const k = channels.length;
    if (this.direct) {
      for (let i = 0; i < n; i++) {
        let x = 0;
        for (let c = 0; c < k; c++) x += channels[c][i];
        this.out(x / k, emit);
      }
      return;
    }
    let i = 0;
    while (i < n) {
      this.makeRoom();
      const take = Math.min(n - i, this.history.length - this.length);
      for (let m = 0; m < take; m++, i++) {
        let x = 0;
        for (let c = 0; c < k; c++) x += channels[c][i];
        this.history[this.length + m] = x / k;
      }
      this.length += take;
      this.filter(emit);
    }
  }

  /** Every output sample whose taps are all in the history. */
  filter(emit) {
    const { taps, phases, table, history, outRate } = this;
    while (this.whole + taps <= this.length) {
      const phase = Math.round((this.rem * phases) / outRate);
      const row = phase * taps;
      const base = this.whole;
      let y = 0;
      for (let j = 0; j < taps; j++) y += history[base + j] * table[row + j];
      this.out(y, emit);
      this.whole += this.step;
      this.rem += this.stepRem;
      if (this.rem >= outRate) {
        this.rem -= outRate;
        this.whole += 1;
      }
    }
  }

  /** Drops the input no output needs any more. */
  makeRoom() {
    if (this.length < this.history.length) return;
    const keep = this.length - this.whole;
    this.history.copyWithin(0, this.whole, this.length);
    this.length = keep;
    this.whole = 0;
  }

  out(sample, emit) {
    const y = sample < -1 ? -1 : sample > 1 ? 1 : sample;
    const a = y < 0 ? -y : y;
    if (a > this.peak) this.peak = a;
    this.frame[this.filled++] = y < 0 ? y * 0x8000 : y * 0x7fff;
    if (this.filled === this.frameSamples) {
      // Int16Array is little-endian on every platform browsers run on.
      emit(this.frame.buffer, this.peak);
      this.frame = new Int16Array(this.frameSamples);
      this.filled = 0;
      this.peak = 0;
    }
  }
}
