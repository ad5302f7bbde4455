// The speaker's outgoing audio: the codec choice, the microphone, Opus encoding when chosen, and
// sending each 20 ms frame while the connection may carry it (dropping frames to stay live).
import { Microphone, WIRE_RATE } from "./microphone.js";
import { OPUS_QUERY, OpusEncoder, opusEncoderProblem } from "./encoder.js";

const $ = (id) => document.getElementById(id);
// The codec picked last time (not a secret).
const CODEC_KEY = "pentecost.speakerCodec";
// Above this much unsent audio (about a second) new frames are dropped to stay live.
const MAX_BUFFERED_BYTES = 32 * 1024;

export class Transmitter {
  /**
   * stats: framesSent and framesDropped are counted there. socket(): the WebSocket if audio may be
   * sent now, else null. declared(): the audio format the current connection declared.
   * redeclare(): a new connection, declaring the chosen codec, if one is open. changed(): the
   * microphone started or stopped. failed(message): it could not start. canStart(): whether the
   * microphone button may be used.
   */
  constructor({ stats, socket, declared, redeclare, changed, failed, canStart }) {
    this.stats = stats;
    this.hooks = { socket, declared, redeclare, changed, failed, canStart };
    this.mic = null;
    this.encoder = null; // OpusEncoder while streaming Opus
  }

  /** Whether the microphone is on. */
  get on() {
    return this.mic !== null;
  }

  /** The codec picked in the page: pcm16 | opus. */
  get chosen() {
    return $("codec").value;
  }

  // ---- microphone ---------------------------------------------------------------------------

  async toggle() {
    if (this.mic) {
      this.stop();
      this.hooks.changed();
      return;
    }
    const button = $("mic");
    button.disabled = true;
    const starting = new Microphone((pcm, peak) => this.frame(pcm, peak));
    try {
      await starting.start();
      this.mic = starting;
      button.textContent = "■ Stop microphone";
      this.hooks.changed();
    } catch (e) {
      this.hooks.failed(e.message);
    } finally {
      button.disabled = !this.hooks.canStart();
    }
  }

  stop() {
    if (this.mic) this.mic.stop();
    this.mic = null;
    this.closeEncoder();
    $("mic").textContent = "Start microphone";
    $("level").style.width = "0";
  }

  /** One 20 ms frame of PCM16 from the microphone: sent as it is, or encoded to Opus first. */
  frame(pcm, peak) {
    $("level").style.width = `${Math.min(100, Math.round(Math.sqrt(peak) * 100))}%`;
    if (!this.hooks.socket()) return;
    if (this.hooks.declared().codec !== "opus") {
      this.send(pcm);
      return;
    }
    if (!this.encoder) {
      try {
        this.encoder = new OpusEncoder(
          (packet) => this.sendPacket(packet),
          (e) => this.fallBackToPcm(`Opus encoding failed (${e.message}).`),
        );
      } catch (e) {
        this.fallBackToPcm(`Opus encoding could not start (${e.message}).`);
        return;
      }
    }
    this.encoder.encode(pcm);
  }

  sendPacket(packet) {
    // Packets still in the encoder when the connection switched back to PCM are dropped.
    const declared = this.hooks.declared();
    if (declared && declared.codec === "opus" && this.hooks.socket()) this.send(packet);
  }

  send(payload) {
    const socket = this.hooks.socket();
    if (socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.stats.framesDropped++;
      return;
    }
    socket.send(payload);
    this.stats.framesSent++;
  }

  closeEncoder() {
    if (this.encoder) this.encoder.close();
    this.encoder = null;
  }

  // ---- codec --------------------------------------------------------------------------------

  /** The query parameters that declare the chosen codec (docs/protocol.md, "Publishing"). */
  wireFormat() {
    return this.chosen === "opus" ? OPUS_QUERY : { codec: "pcm16", sampleRate: WIRE_RATE };
  }

  /** The current connection declared this format: an encoder is kept for Opus only. */
  declaredFormat(format) {
    if (format.codec !== "opus") this.closeEncoder();
  }

  /** A new codec is declared by a new connection: the refresh flow, which listeners do not notice. */
  codecChanged() {
    localStorage.setItem(CODEC_KEY, this.chosen);
    $("codec-note").textContent = "";
    this.hooks.redeclare();
  }

  fallBackToPcm(reason) {
    this.closeEncoder();
    $("codec").value = "pcm16";
    $("codec-note").textContent = `${reason} Sending PCM instead.`;
    this.hooks.redeclare();
  }

  /**
   * Opus by default wherever this browser can encode it, PCM otherwise; a codec the speaker picked
   * by hand is kept for next time (and Opus falls back to PCM where it cannot be encoded).
   */
  async offerCodecs() {
    const remembered = localStorage.getItem(CODEC_KEY);
    if (remembered === "opus" || remembered === "pcm16") $("codec").value = remembered;
    const problem = await opusEncoderProblem();
    if (!problem) return;
    const option = $("codec").querySelector("option[value=opus]");
    option.disabled = true;
    option.textContent += " — not available in this browser";
    $("codec-note").textContent = `${problem} The console sends PCM.`;
    if ($("codec").value === "opus") {
      $("codec").value = "pcm16";
      this.hooks.redeclare();
    }
  }
}
