// AudioWorklet side of the speaker's microphone: posts {pcm: ArrayBuffer, peak} per 20 ms frame.
import { Downsampler } from "./downsampler.js";

class PentecostCapture extends AudioWorkletProcessor {
  constructor(options) {
    super();
    this.down = new Downsampler(sampleRate, options.processorOptions || {});
    this.emit = (pcm, peak) => this.port.postMessage({ pcm, peak }, [pcm]);
  }

  process(inputs) {
    const input = inputs[0];
    if (input && input.length > 0) this.down.push(input, this.emit);
    return true;
  }
}

registerProcessor("pentecost-capture", PentecostCapture);
