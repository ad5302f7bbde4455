package org.pentecost.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.microsoft.playwright.CDPSession;
import com.microsoft.playwright.Page;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pentecost.server.testing.TestServer;

/**
 * What one listener downloads, measured at a real listener page: every WebSocket frame the page
 * receives (Chromium's DevTools protocol, {@code Network.webSocketFrameReceived}) is counted with
 * its payload and its WebSocket header, over a stretch of audio frames, and turned into kbit/s of
 * audio played. The speaker console runs with its default settings (Opus) on a speech-like source,
 * and on white noise (the worst case for the codec's variable bitrate); PCM is measured beside them
 * for comparison. Figures are printed for docs/benchmarks.md.
 */
class ConsoleBandwidthIT {
  @RegisterExtension static final ConsoleBrowser browser = new ConsoleBrowser();

  /** Audio frames counted per measurement: 20 s of audio. */
  private static final int FRAMES = 1000;

  /**
   * In the speaker's page: the microphone replaced by a speech-like signal: a voice (a sawtooth at
   * 100-220 Hz through two moving formant filters) in syllables of about 4 a second, hiss bursts
   * (fricatives, 3-7 kHz noise) between them, and short pauses.
   */
  private static final String SPEECH =
      "() => { const ctx = new AudioContext({ sampleRate: 48000 });"
          + " const dest = ctx.createMediaStreamDestination();"
          + " const voice = ctx.createOscillator(); voice.type = 'sawtooth';"
          + " const pitch = ctx.createOscillator(); pitch.frequency.value = 0.7;"
          + " const depth = ctx.createGain(); depth.gain.value = 60; voice.frequency.value = 160;"
          + " pitch.connect(depth).connect(voice.frequency);"
          + " const env = ctx.createGain(); env.gain.value = 0;"
          + " for (const [f, q] of [[700, 4], [1800, 6]]) { const bp = ctx.createBiquadFilter();"
          + "   bp.type = 'bandpass'; bp.frequency.value = f; bp.Q.value = q;"
          + "   const m = ctx.createOscillator(); m.frequency.value = 2.3 + f / 1000;"
          + "   const md = ctx.createGain(); md.gain.value = f / 3; m.connect(md).connect(bp.frequency);"
          + "   m.start(); voice.connect(bp).connect(env); }"
          + " const noise = ctx.createBuffer(1, 48000, 48000); const d = noise.getChannelData(0);"
          + " for (let i = 0; i < d.length; i++) d[i] = Math.random() * 2 - 1;"
          + " const hiss = ctx.createBufferSource(); hiss.buffer = noise; hiss.loop = true;"
          + " const hp = ctx.createBiquadFilter(); hp.type = 'bandpass'; hp.frequency.value = 5000;"
          + " hp.Q.value = 1.2; const henv = ctx.createGain(); henv.gain.value = 0;"
          + " hiss.connect(hp).connect(henv).connect(dest); env.connect(dest);"
          + " const t0 = ctx.currentTime + 0.05;"
          + " for (let s = 0; s < 400; s++) { const t = t0 + s * 0.25;"
          + "   const pause = s % 11 === 10;"
          + "   env.gain.setValueAtTime(0, t);"
          + "   if (!pause) { env.gain.linearRampToValueAtTime(1.5, t + 0.04);"
          + "     env.gain.linearRampToValueAtTime(0.8, t + 0.15);"
          + "     env.gain.linearRampToValueAtTime(0, t + 0.19); }"
          + "   henv.gain.setValueAtTime(0, t + 0.19);"
          + "   if (!pause && s % 3 === 0) { henv.gain.linearRampToValueAtTime(0.15, t + 0.21);"
          + "     henv.gain.linearRampToValueAtTime(0, t + 0.25); } }"
          + " voice.start(); pitch.start(); hiss.start();"
          + " navigator.mediaDevices.getUserMedia = async () => dest.stream;"
          + " return ctx.resume(); }";

  /** The worst case for a speech codec: white noise, without a pause, at -13 dBFS RMS. */
  private static final String NOISE =
      "() => { const ctx = new AudioContext({ sampleRate: 48000 });"
          + " const dest = ctx.createMediaStreamDestination();"
          + " const noise = ctx.createBuffer(1, 96000, 48000); const d = noise.getChannelData(0);"
          + " for (let i = 0; i < d.length; i++) d[i] = (Math.random() * 2 - 1) * 0.4;"
          + " const src = ctx.createBufferSource(); src.buffer = noise; src.loop = true;"
          + " src.connect(dest); src.start();"
          + " navigator.mediaDevices.getUserMedia = async () => dest.stream;"
          + " return ctx.resume(); }";

  TestServer server;
  Page speaker;
  Page listener;
  long bytes;
  long audioFrames;
  long textFrames;

  @BeforeEach
  void pages() {
    server = browser.server();
    speaker = browser.speaker();
    listener = browser.listener();
  }

  @Test
  void aListenerReceivesAtMost32KbitPerSecondOfSpeechWithTheDefaults() {
    double[] figures = opusThenPcm(SPEECH);
    System.out.printf(
        Locale.ROOT,
        "listener bandwidth, speech, %d frames each: Opus (default) %.1f kbit/s, PCM16 %.1f kbit/s%n",
        FRAMES,
        figures[0],
        figures[1]);
    assertThat(figures[0]).as("Opus, kbit/s per listener").isLessThanOrEqualTo(32.0);
    assertThat(figures[1]).as("PCM16, kbit/s per listener").isGreaterThan(250.0);
  }

  @Test
  void evenNoiseStaysUnder32KbitPerSecond() {
    double[] figures = opusThenPcm(NOISE);
    System.out.printf(
        Locale.ROOT,
        "listener bandwidth, white noise, %d frames each: Opus (default) %.1f kbit/s, PCM16 %.1f"
            + " kbit/s%n",
        FRAMES,
        figures[0],
        figures[1]);
    assertThat(figures[0]).as("Opus, kbit/s per listener").isLessThanOrEqualTo(32.0);
  }

  /**
   * The console streams {@code source} in its default codec (Opus), then in PCM; returns what a
   * listener page receives for each, in kbit/s.
   */
  private double[] opusThenPcm(String source) {
    String code = ConsoleSteps.signInAndCreate(speaker, server.token("pastor"), "en");
    ConsoleSteps.awaitState(speaker, "pentecostSpeaker", "ready");
    speaker.waitForFunction("() => window.pentecostSpeaker.codec === 'opus'");
    speaker.evaluate(source);
    speaker.click("#mic");
    ConsoleSteps.awaitState(speaker, "pentecostSpeaker", "live");

    CDPSession cdp = listener.context().newCDPSession(listener);
    cdp.send("Network.enable");
    cdp.on("Network.webSocketFrameReceived", this::count);
    listener.navigate("/listen/" + code);
    listener.click("#play");
    ConsoleSteps.awaitState(listener, "pentecostListener", "live");

    double opus = measure();
    assertThat(ConsoleSteps.number(listener, "pentecostListener", "audibleFrames"))
        .as("the source is heard")
        .isGreaterThan(FRAMES / 2);
    ConsoleSteps.assertNoLoss(listener);

    speaker.selectOption("#codec", "pcm16");
    speaker.waitForFunction("() => window.pentecostSpeaker.codec === 'pcm16'");
    listener.waitForFunction(
        "() => window.pentecostListener.format && window.pentecostListener.format.codec === 'pcm16'");
    double pcm = measure();
    ConsoleSteps.assertNoLoss(listener);
    return new double[] {opus, pcm};
  }

  /**
   * Counts {@link #FRAMES} audio frames at the listener page, from now; returns what the page
   * received meanwhile (audio, headers, control messages) in kbit per second of audio.
   */
  private double measure() {
    synchronized (this) {
      bytes = 0;
      audioFrames = 0;
      textFrames = 0;
    }
    double received = ConsoleSteps.number(listener, "pentecostListener", "framesReceived");
    listener.waitForFunction(
        "n => window.pentecostListener.framesReceived >= n",
        received + FRAMES + 5,
        new Page.WaitForFunctionOptions().setTimeout(60_000));
    synchronized (this) {
      assertThat(audioFrames).as("audio frames seen by DevTools").isGreaterThanOrEqualTo(FRAMES);
      double seconds = audioFrames * 0.020;
      return bytes * 8 / seconds / 1000;
    }
  }

  /** One frame the page received: its payload and its (unmasked, server-to-client) header. */
  private synchronized void count(JsonObject event) {
    JsonObject response = event.getAsJsonObject("response");
    int opcode = response.get("opcode").getAsInt();
    String data = response.get("payloadData").getAsString();
    int length =
        opcode == 2
            ? Base64.getDecoder().decode(data).length
            : data.getBytes(StandardCharsets.UTF_8).length;
    int header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
    bytes += length + header;
    if (opcode == 2) {
      audioFrames++;
    } else {
      textFrames++;
    }
  }
}
