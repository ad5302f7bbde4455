// The listener's audio frames, from the socket to the player: checked for order (SequenceCheck),
// decoded in the format the server announced for their language, and pushed to the player. A
// frame of another language than the one heard, or after a discontinuity, resets the player and
// the decoder. Frames are counted even in captions-only mode (where none should arrive).
import { FLAG_DISCONTINUITY, parseFrame } from "./protocol.js";
import { StreamDecoder } from "./decoder.js";
import { SequenceCheck } from "./sequence.js";

const DEFAULT_FORMAT = { codec: "pcm16", sampleRate: 16000, channels: 1 };

export class Reception {
  /** stats: the page's (framesReceived, decodedFrames, audibleFrames, decodeErrors, …). */
  constructor(stats) {
    this.stats = stats;
    this.sequence = new SequenceCheck(stats);
    this.formats = new Map(); // language -> audio format announced
    this.heard = null; // language of the frames being played
    this.lastFrameAt = 0; // performance.now() of the last frame accepted
    this.player = null;
    this.decoder = null;
  }

  /** Plays through player from now on; onFormat(format, problem) as StreamDecoder's. */
  begin(player, onFormat) {
    this.player = player;
    this.decoder = new StreamDecoder({
      onSamples: (samples, rate) => this.samples(samples, rate),
      onFormat,
      onError: () => this.stats.decodeErrors++,
    });
  }

  end() {
    if (this.decoder) this.decoder.close();
    this.decoder = null;
    this.player = null;
  }

  /**
   * The server told the format of a language's stream (a join, a new publisher, a language
   * switch): frames of that language are decoded with it from now on, and the page says at once
   * if this browser cannot play it.
   */
  announced(language, format) {
    this.formats.set(language, format);
    // Every announcement is of the stream heard next: check it now rather than at its first frame.
    if (this.decoder) this.decoder.setFormat(format);
  }

  /** A new publisher numbers its stream afresh. */
  restart(language) {
    this.sequence.restart(language);
  }

  /** Frames were lost for good (continuityLost): what is queued is dropped. */
  reset() {
    if (this.player) this.player.reset();
  }

  resumeQuery() {
    return this.sequence.resumeQuery();
  }

  frame(buffer, connectionId) {
    const frame = parseFrame(buffer);
    if (!frame || frame.version !== 1) return;
    this.stats.framesReceived++;
    // Frames skipped on purpose, or another language's stream (after a switch, or moving between
    // the floor audio and a translation): what this language published meanwhile is not a loss.
    const heard = this.heard;
    const discontinuity = (frame.flags & FLAG_DISCONTINUITY) !== 0 || (heard !== null && frame.language !== heard);
    if (!this.sequence.accept(frame, connectionId, discontinuity)) return;
    this.lastFrameAt = performance.now();
    if (!this.player || !this.decoder) return;
    if (frame.language !== heard || discontinuity) {
      this.heard = frame.language;
      this.player.reset();
      this.decoder.reset();
    }
    this.decoder.setFormat(this.formats.get(frame.language) || DEFAULT_FORMAT);
    this.decoder.decode(frame.payload);
  }

  samples(samples, rate) {
    this.stats.decodedFrames++;
    let peak = 0;
    for (let i = 0; i < samples.length; i++) {
      const a = samples[i] < 0 ? -samples[i] : samples[i];
      if (a > peak) peak = a;
    }
    if (peak > 0.01) this.stats.audibleFrames++;
    if (this.player) this.player.push(samples, rate);
  }
}
