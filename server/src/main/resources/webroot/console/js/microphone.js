// The speaker's microphone: getUserMedia, then an AudioWorklet (or a ScriptProcessor) that turns
// it into 20 ms PCM16 frames at 16 kHz. start() should run in a user gesture.
//
// The capture runs in an AudioContext at the wire rate where the browser allows it: the browser
// then resamples the microphone in native code, with a proper filter (Chromium, Safari). Where a
// microphone cannot feed a context of another rate (Firefox refuses with NotSupportedError), the
// context runs at the device's rate and the Downsampler's windowed-sinc filter resamples.
import { Downsampler } from "./downsampler.js";

export const WIRE_RATE = 16000;
export const FRAME_MS = 20;

/** An AudioContext at rate where the browser allows one, else at the device's rate. */
function openContext(Ctx, rate) {
  try {
    return new Ctx({ latencyHint: "interactive", sampleRate: rate });
  } catch (e) {
    return new Ctx({ latencyHint: "interactive" });
  }
}

export class Microphone {
  /** onFrame(ArrayBuffer pcm, number peak) for every 20 ms frame. */
  constructor(onFrame) {
    this.onFrame = onFrame;
    this.stream = null;
    this.ctx = null;
    this.node = null;
  }

  async start() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      throw new Error("This browser cannot use a microphone here (a secure https:// page is needed).");
    }
    const Ctx = window.AudioContext || window.webkitAudioContext;
    this.ctx = openContext(Ctx, WIRE_RATE);
    let resumed = this.ctx.resume();
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({
        audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true, autoGainControl: true },
        video: false,
      });
    } catch (e) {
      await this.stop();
      if (e && (e.name === "NotAllowedError" || e.name === "SecurityError")) {
        throw new Error("Microphone access was refused. Allow it in the browser's site settings, then try again.");
      }
      if (e && e.name === "NotFoundError") throw new Error("No microphone was found.");
      throw new Error(`The microphone could not start (${e && e.name ? e.name : e}).`);
    }
    let source;
    try {
      source = this.ctx.createMediaStreamSource(this.stream);
    } catch (e) {
      // This browser cannot resample a microphone: capture at the device's rate, filter in JS.
      resumed.catch(() => {});
      await this.ctx.close();
      this.ctx = new Ctx({ latencyHint: "interactive" });
      resumed = this.ctx.resume();
      source = this.ctx.createMediaStreamSource(this.stream);
    }
    const options = { outRate: WIRE_RATE, frameMs: FRAME_MS };
    if (this.ctx.audioWorklet && window.AudioWorkletNode) {
      try {
        await this.ctx.audioWorklet.addModule("/console/js/capture-worklet.js");
        this.node = new AudioWorkletNode(this.ctx, "pentecost-capture", {
          numberOfInputs: 1,
          numberOfOutputs: 1,
          outputChannelCount: [1],
          processorOptions: options,
        });
        this.node.port.onmessage = (event) => this.onFrame(event.data.pcm, event.data.peak);
      } catch (e) {
        this.node = null;
      }
    }
    if (!this.node) {
      const down = new Downsampler(this.ctx.sampleRate, options);
      this.node = this.ctx.createScriptProcessor(2048, 1, 1);
      this.node.onaudioprocess = (event) => {
        down.push([event.inputBuffer.getChannelData(0)], (pcm, peak) => this.onFrame(pcm, peak));
      };
    }
    // Nodes are only processed when connected to the output: through a muted gain (no echo).
    const mute = this.ctx.createGain();
    mute.gain.value = 0;
    source.connect(this.node);
    this.node.connect(mute);
    mute.connect(this.ctx.destination);
    await resumed;
    const track = this.stream.getAudioTracks()[0];
    return track ? track.label : "";
  }

  /** The capture context's rate: the wire rate, or the device's where the browser cannot resample. */
  get captureRate() {
    return this.ctx ? this.ctx.sampleRate : 0;
  }

  async stop() {
    if (this.stream) this.stream.getTracks().forEach((t) => t.stop());
    this.stream = null;
    this.node = null;
    const ctx = this.ctx;
    this.ctx = null;
    if (ctx && ctx.state !== "closed") await ctx.close();
  }
}
