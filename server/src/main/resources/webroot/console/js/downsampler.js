// Microphone audio to the wire format: mono, 16 kHz (by default), PCM16 little-endian, cut in
// frames of frameMs. Each output sample is the mean of the input samples it covers (a box
// filter: cheap, and enough against aliasing for speech). Runs in the capture AudioWorklet and,
// where there is none, in the ScriptProcessor fallback.
export class Downsampler {
  constructor(inRate, { outRate = 16000, frameMs = 20 } = {}) {
    this.ratio = inRate / outRate;
    this.frameSamples = Math.round((outRate * frameMs) / 1000);
    this.frame = new Int16Array(this.frameSamples);
    this.filled = 0;
    this.sum = 0;
    this.count = 0;
    this.pos = 0;
    this.peak = 0;
  }

  /** Feeds input channels (Float32Arrays); calls emit(ArrayBuffer, peak) per complete frame. */
  push(channels, emit) {
    const n = channels.length ? channels[0].length : 0;
    const k = channels.length;
    for (let i = 0; i < n; i++) {
      let x = 0;
      for (let c = 0; c < k; c++) x += channels[c][i];
      x /= k;
      this.sum += x;
      this.count++;
      this.pos += 1;
      if (this.pos >= this.ratio) {
        this.pos -= this.ratio;
        let y = this.sum / this.count;
        this.sum = 0;
        this.count = 0;
        y = y < -1 ? -1 : y > 1 ? 1 : y;
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
  }
}
