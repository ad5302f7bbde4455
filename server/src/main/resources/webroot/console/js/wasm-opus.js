// Opus decoding where WebCodecs cannot: libopus compiled to WebAssembly (the npm package
// opus-decoder, vendor/opus-decoder.min.js, its WASM inline). The script is loaded on first use
// only, so a page that never plays Opus without WebCodecs never downloads it. Decodes on the main
// thread: a 20 ms packet takes a fraction of a millisecond.

const SCRIPT = "/console/vendor/opus-decoder.min.js";
const RATES = [8000, 12000, 16000, 24000, 48000];

let loading = null; // Promise of the library's OpusDecoder class

/** Whether this browser can run the WASM decoder for format at all (before loading it). */
export function wasmCanDecode(format) {
  const channels = format.channels || 1;
  return typeof window.WebAssembly === "object" && RATES.includes(format.sampleRate || 48000) && channels <= 2;
}

/** Loads the library once; resolves with its OpusDecoder class, rejects if it cannot load. */
function library() {
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = SCRIPT;
      script.charset = "utf-8";
      script.async = true;
      script.onload = () => {
        const lib = window["opus-decoder"];
        if (lib && lib.OpusDecoder) resolve(lib.OpusDecoder);
        else reject(new Error("the Opus decoder did not load"));
      };
      script.onerror = () => reject(new Error("the Opus decoder could not be downloaded"));
      document.head.appendChild(script);
    });
    loading.catch(() => {
      loading = null; // a later stream may try again
    });
  }
  return loading;
}

/** One mono or stereo Opus stream, one packet per decode(). */
export class WasmOpusDecoder {
  /** Resolves once the WebAssembly is compiled; rejects if it cannot run here. */
  static async open(format) {
    const OpusDecoder = await library();
    const channels = format.channels || 1;
    const decoder = new OpusDecoder({
      sampleRate: format.sampleRate || 48000,
      channels,
      streamCount: 1,
      coupledStreamCount: channels === 2 ? 1 : 0,
      channelMappingTable: channels === 2 ? [0, 1] : [0],
    });
    await decoder.ready;
    return new WasmOpusDecoder(decoder);
  }

  constructor(decoder) {
    this.decoder = decoder;
  }

  /**
   * packet: a Uint8Array. Returns {channels: [Float32Array], rate, error}: the samples (copied out
   * of the WebAssembly memory) and the library's error message when the packet was corrupt.
   */
  decode(packet) {
    const out = this.decoder.decodeFrame(packet);
    const channels = out.channelData.map((plane) => plane.slice(0, out.samplesDecoded));
    const error = out.errors && out.errors.length ? out.errors[0].message : null;
    return { channels, rate: out.sampleRate, error };
  }

  close() {
    if (this.decoder) this.decoder.free();
    this.decoder = null;
  }
}
