// Frame payloads to samples for the player, in frame order: PCM16 at once, Opus (one packet per
// frame) through WebCodecs' AudioDecoder where the browser has it for the format (on a secure
// page), else through libopus in WebAssembly (wasm-opus.js, loaded on first need). Output is mono
// floats at the stream's rate.
import { pcm16ToFloat } from "./protocol.js";
import { wasmCanDecode, WasmOpusDecoder } from "./wasm-opus.js";

const HELP = "Try a recent Chrome, Edge, Firefox or Safari.";

/** The Opus decoder configuration for an announced format. */
function opusConfig(format) {
  return { codec: "opus", sampleRate: format.sampleRate || 48000, numberOfChannels: format.channels || 1 };
}

function sameFormat(a, b) {
  return !!a && !!b && a.codec === b.codec && a.sampleRate === b.sampleRate && (a.channels || 1) === (b.channels || 1);
}

/** Whether WebCodecs decodes format here (it exists only on secure pages). */
async function webCodecsDecodes(format) {
  if (!window.isSecureContext || typeof window.AudioDecoder === "undefined") return false;
  try {
    return (await window.AudioDecoder.isConfigSupported(opusConfig(format))).supported === true;
  } catch (e) {
    return false;
  }
}

/**
 * How this browser plays format: {backend: "pcm" | "webcodecs" | "wasm", wasm (an open
 * WasmOpusDecoder for "wasm")}, or {problem: a sentence for the user} when nothing can.
 */
async function backendFor(format) {
  if (format.codec === "pcm16") return { backend: "pcm" };
  if (format.codec !== "opus") return { problem: `This page cannot play ${format.codec} audio.` };
  if (await webCodecsDecodes(format)) return { backend: "webcodecs" };
  const rate = Math.round((format.sampleRate || 48000) / 1000);
  const what = `Opus, ${rate} kHz, ${format.channels || 1} channel(s)`;
  if (!wasmCanDecode(format)) {
    return { problem: `This browser cannot decode the session's audio (${what}; it lacks WebCodecs and WebAssembly). ${HELP}` };
  }
  try {
    return { backend: "wasm", wasm: await WasmOpusDecoder.open(format) };
  } catch (e) {
    return { problem: `This browser cannot decode the session's audio (${what}: ${e.message}). ${HELP}` };
  }
}

/** Null when this browser can decode format, else a sentence saying why not. */
export async function formatProblem(format) {
  const found = await backendFor(format);
  if (found.wasm) found.wasm.close();
  return found.problem || null;
}

/** Averages interleaved or planar channels into one. */
function mono(channels) {
  if (channels.length === 1) return channels[0];
  const out = new Float32Array(channels[0].length);
  for (let i = 0; i < out.length; i++) {
    let sum = 0;
    for (const ch of channels) sum += ch[i];
    out[i] = sum / channels.length;
  }
  return out;
}

function pcmToMono(payload, channels) {
  const samples = pcm16ToFloat(payload);
  if (channels <= 1) return samples;
  const n = Math.floor(samples.length / channels);
  const planes = [];
  for (let c = 0; c < channels; c++) {
    const plane = new Float32Array(n);
    for (let i = 0; i < n; i++) plane[i] = samples[i * channels + c];
    planes.push(plane);
  }
  return mono(planes);
}

/**
 * Decodes one stream at a time. setFormat() is called with the format of each frame (a change
 * drops what the old one still had in flight); reset() drops it too (a discontinuity).
 *
 * callbacks: onSamples(Float32Array, rate) for each frame decoded; onFormat(format, problem) once
 * a new format is known to be playable (problem null) or not (problem: what to tell the user);
 * onError(error) when the browser failed to decode a frame (the decoder is then made afresh).
 */
export class StreamDecoder {
  constructor({ onSamples, onFormat = () => {}, onError = () => {} }) {
    this.onSamples = onSamples;
    this.onFormat = onFormat;
    this.onError = onError;
    this.format = null;
    this.state = "none"; // none | checking | ready | unsupported
    this.backend = null; // pcm | webcodecs | wasm, once the format is ready
    this.decoder = null; // the AudioDecoder for an Opus format, made on first use
    this.wasm = null; // the WasmOpusDecoder for an Opus format WebCodecs cannot decode
    this.waiting = []; // Opus packets that arrived while the format was being checked
    this.timestampUs = 0;
    this.errors = 0;
  }

  setFormat(format) {
    if (sameFormat(format, this.format)) return;
    this.closeDecoder();
    this.format = { ...format };
    this.backend = null;
    this.waiting = [];
    if (format.codec === "pcm16") {
      this.state = "ready";
      this.backend = "pcm";
      this.onFormat(this.format, null);
      return;
    }
    this.state = "checking";
    const checking = this.format;
    backendFor(checking).then(({ backend, wasm, problem }) => {
      if (checking !== this.format) {
        if (wasm) wasm.close(); // another format came meanwhile
        return;
      }
      this.state = problem ? "unsupported" : "ready";
      this.backend = backend || null;
      this.wasm = wasm || null;
      this.onFormat(checking, problem || null);
      const waiting = this.waiting;
      this.waiting = [];
      if (!problem) waiting.forEach((p) => this.decodeOpus(p));
    });
  }

  /** payload: a DataView of one frame's payload, in the current format. */
  decode(payload) {
    if (!this.format) return;
    if (this.format.codec === "pcm16") {
      this.onSamples(pcmToMono(payload, this.format.channels || 1), this.format.sampleRate || 16000);
    } else if (this.state === "checking") {
      // The answer takes a moment; keep the packets that came meanwhile (a second at most).
      this.waiting.push(new Uint8Array(payload.buffer.slice(payload.byteOffset, payload.byteOffset + payload.byteLength)));
      if (this.waiting.length > 50) this.waiting.shift();
    } else if (this.state === "ready") {
      this.decodeOpus(payload);
    }
  }

  decodeOpus(data) {
    if (this.backend === "wasm") {
      if (this.wasm) this.decodeWasm(data);
      return;
    }
    if (!this.decoder) this.openDecoder();
    if (!this.decoder) return;
    const durationUs = (this.format.frameMs || 20) * 1000;
    try {
      this.decoder.decode(new window.EncodedAudioChunk({ type: "key", timestamp: this.timestampUs, duration: durationUs, data }));
    } catch (e) {
      this.failed(this.decoder, e);
    }
    this.timestampUs += durationUs;
  }

  decodeWasm(data) {
    const packet = data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    let out;
    try {
      out = this.wasm.decode(packet);
    } catch (e) {
      out = { channels: [], error: e.message || String(e) };
    }
    if (out.error) {
      this.errors++;
      this.onError(new Error(out.error));
    }
    if (out.channels.length && out.channels[0].length) this.onSamples(mono(out.channels), out.rate);
  }

  openDecoder() {
    const decoder = new window.AudioDecoder({
      output: (audio) => {
        try {
          // Frames decoded for a format or a stretch of stream that was since dropped are not played.
          if (decoder === this.decoder) this.onSamples(this.planes(audio), audio.sampleRate);
        } finally {
          audio.close();
        }
      },
      error: (e) => this.failed(decoder, e),
    });
    try {
      decoder.configure(opusConfig(this.format));
      this.decoder = decoder;
    } catch (e) {
      this.failed(decoder, e);
    }
  }

  planes(audio) {
    const channels = [];
    for (let c = 0; c < audio.numberOfChannels; c++) {
      const plane = new Float32Array(audio.numberOfFrames);
      audio.copyTo(plane, { planeIndex: c, format: "f32-planar" });
      channels.push(plane);
    }
    return mono(channels);
  }

  failed(decoder, error) {
    if (decoder.state !== "closed") decoder.close();
    if (decoder === this.decoder) this.decoder = null; // the next frame makes a new one
    this.errors++;
    this.onError(error);
  }

  /**
   * Drops what is being decoded; the next frame starts afresh. (The WebAssembly decoder decodes
   * synchronously, so nothing of it is in flight: it carries on, and libopus conceals the jump.)
   */
  reset() {
    if (this.decoder) this.closeDecoder();
  }

  closeDecoder() {
    const decoder = this.decoder;
    this.decoder = null;
    if (decoder && decoder.state !== "closed") decoder.close();
    if (this.wasm) this.wasm.close();
    this.wasm = null;
  }

  close() {
    this.closeDecoder();
    this.format = null;
    this.state = "none";
    this.backend = null;
    this.waiting = [];
  }
}
