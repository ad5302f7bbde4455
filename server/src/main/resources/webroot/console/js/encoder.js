// The speaker console's default codec: the microphone's 20 ms frames (PCM16, 16 kHz mono) encoded
// in the browser by WebCodecs' AudioEncoder, one Opus packet per frame.
import { FRAME_MS, WIRE_RATE } from "./microphone.js";

/** What the console declares when connecting to stream Opus (docs/protocol.md, "Publishing"). */
export const OPUS_QUERY = { codec: "opus", sampleRate: WIRE_RATE, channels: 1, frameMs: FRAME_MS };

/**
 * Wideband speech sounds clean at this rate (Opus' SILK mode at 16 kHz), and a listener receives
 * at most 32 kbit/s with the 16-byte frame header and the WebSocket framing: 50 frames a second of
 * about 50 + 16 + 2 bytes (docs/benchmarks.md, "Listener bandwidth"). PCM takes 256 kbit/s.
 */
export const OPUS_BITRATE = 20000;

function config() {
  return {
    codec: "opus",
    sampleRate: WIRE_RATE,
    numberOfChannels: 1,
    bitrate: OPUS_BITRATE,
    opus: { frameDuration: FRAME_MS * 1000 },
  };
}

/** Null when this browser can encode Opus as the console sends it, else a sentence why not. */
export async function opusEncoderProblem() {
  if (!window.isSecureContext) return "Opus needs a secure (https://) page.";
  if (typeof window.AudioEncoder === "undefined" || typeof window.AudioData === "undefined") {
    return "This browser cannot encode Opus (it lacks WebCodecs' AudioEncoder).";
  }
  try {
    const { supported } = await window.AudioEncoder.isConfigSupported(config());
    if (supported) return null;
  } catch (e) {
    // answered below
  }
  return "This browser cannot encode Opus at 16 kHz.";
}

export class OpusEncoder {
  /**
   * onPacket(ArrayBuffer) for each Opus packet, in order; onError(error) once if the browser's
   * encoder fails (it is closed then). Throws if the encoder cannot be configured.
   */
  constructor(onPacket, onError) {
    this.timestampUs = 0;
    this.dropped = 0;
    this.encoder = new window.AudioEncoder({
      output: (chunk) => {
        const packet = new ArrayBuffer(chunk.byteLength);
        chunk.copyTo(packet);
        onPacket(packet);
      },
      error: (e) => onError(e),
    });
    try {
      this.encoder.configure(config());
    } catch (e) {
      this.close();
      throw e;
    }
  }

  /** pcm: an ArrayBuffer of one 20 ms frame of PCM16, 16 kHz mono. */
  encode(pcm) {
    if (this.encoder.state !== "configured") return;
    if (this.encoder.encodeQueueSize > 10) {
      // The encoder is 200 ms behind: stay live rather than queue.
      this.dropped++;
      return;
    }
    const data = new window.AudioData({
      format: "s16",
      sampleRate: WIRE_RATE,
      numberOfChannels: 1,
      numberOfFrames: pcm.byteLength / 2,
      timestamp: this.timestampUs,
      data: pcm,
    });
    this.timestampUs += FRAME_MS * 1000;
    try {
      this.encoder.encode(data);
    } finally {
      data.close();
    }
  }

  close() {
    if (this.encoder.state !== "closed") this.encoder.close();
  }
}
