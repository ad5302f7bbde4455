package org.pentecost.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The speaker console's capture at 16 kHz keeps speech and stops aliases, in a real headless
 * Chromium: a 7 kHz tone (inside the wideband speech band) and a 12 kHz tone (above 16 kHz's
 * Nyquist frequency, which a plain decimation folds onto 4 kHz) go in; the 7 kHz tone must come
 * out, and the 4 kHz alias at least 40 dB below it. Checked for the page's own filter
 * (downsampler.js) at the usual device rates, and for the whole microphone path: the browser's
 * resampling, and the filter where the browser cannot resample a microphone (as Firefox).
 */
class ConsoleCaptureIT {
  @RegisterExtension static final ConsoleBrowser browser = new ConsoleBrowser();

  /** In the page: level(samples, rate, hz, from) = the tone's amplitude, Hann-windowed DFT bin. */
  private static final String LEVEL =
      "const level = (x, rate, hz, from) => { let re = 0, im = 0, w = 0;"
          + " const n = x.length - from;"
          + " for (let i = 0; i < n; i++) {"
          + "   const h = 0.5 - 0.5 * Math.cos(2 * Math.PI * i / n);"
          + "   const a = 2 * Math.PI * hz * (from + i) / rate;"
          + "   re += h * x[from + i] * Math.cos(a); im += h * x[from + i] * Math.sin(a); w += h; }"
          + " return 2 * Math.hypot(re, im) / w; };"
          + " const db = (a) => 20 * Math.log10(Math.max(a, 1e-9) / 0.4);";

  Page page;

  @BeforeEach
  void open() {
    page = browser.speaker();
    page.navigate("/");
  }

  @Test
  void theFilterKeepsSpeechAndStopsTheAlias() {
    @SuppressWarnings("unchecked")
    Map<String, List<Number>> levels =
        (Map<String, List<Number>>)
            page.evaluate(
                "async () => { const { Downsampler } = await import('/console/js/downsampler.js');"
                    + LEVEL
                    + " const out = {};"
                    + " for (const inRate of [48000, 44100, 96000, 32000]) {"
                    + "   const d = new Downsampler(inRate, { outRate: 16000, frameMs: 20 });"
                    + "   const y = [];"
                    + "   for (let s = 0; s < inRate * 2; s += 128) {"
                    + "     const b = new Float32Array(128);"
                    + "     for (let i = 0; i < 128; i++) { const t = (s + i) / inRate;"
                    + "       b[i] = 0.4 * Math.sin(2 * Math.PI * 7000 * t)"
                    + "            + 0.4 * Math.sin(2 * Math.PI * 12000 * t); }"
                    + "     d.push([b], (pcm) => new Int16Array(pcm).forEach(v => y.push(v / 32768)));"
                    + "   }"
                    + "   out[inRate] = [y.length, db(level(y, 16000, 7000, 1600)),"
                    + "                  db(level(y, 16000, 4000, 1600))];"
                    + " }"
                    + " return out; }");
    for (Map.Entry<String, List<Number>> e : levels.entrySet()) {
      int samples = e.getValue().get(0).intValue();
      double tone = e.getValue().get(1).doubleValue();
      double alias = e.getValue().get(2).doubleValue();
      System.out.printf(
          Locale.ROOT,
          "filter from %s Hz: 7 kHz %.2f dB, alias %.1f dB%n",
          e.getKey(),
          tone,
          alias);
      assertThat(samples)
          .as("%s Hz: 2 s at 16 kHz, in whole frames", e.getKey())
          .isBetween(31_000, 32_000);
      assertThat(tone).as("%s Hz: the 7 kHz tone, dB", e.getKey()).isGreaterThan(-1.0);
      assertThat(alias)
          .as("%s Hz: the 12 kHz tone's alias at 4 kHz, dB", e.getKey())
          .isLessThan(tone - 40);
    }
  }

  @Test
  void theMicrophoneIsCapturedAt16kHzWithoutAliasesByTheBrowserOrByTheFilter() {
    // The browser resamples (Chromium can): the capture context runs at 16 kHz.
    List<Number> resampled = capture(false);
    assertThat(resampled.get(0).intValue()).as("capture rate").isEqualTo(16_000);
    assertCleanCapture(resampled);

    // A browser that cannot feed a microphone to a 16 kHz context: the device's rate (44.1 or
    // 48 kHz) and the page's filter.
    List<Number> filtered = capture(true);
    assertThat(filtered.get(0).intValue()).as("capture rate").isGreaterThan(16_000);
    assertCleanCapture(filtered);
  }

  private static void assertCleanCapture(List<Number> result) {
    int frames = result.get(1).intValue();
    double tone = result.get(2).doubleValue();
    double alias = result.get(3).doubleValue();
    System.out.printf(
        Locale.ROOT,
        "microphone captured at %s Hz: 7 kHz %.2f dB, alias %.1f dB%n",
        result.get(0),
        tone,
        alias);
    assertThat(frames).as("20 ms frames in 1.5 s").isGreaterThan(50);
    assertThat(tone).as("the 7 kHz tone, dB").isGreaterThan(-6.0);
    assertThat(alias).as("the 12 kHz tone's alias at 4 kHz, dB").isLessThan(tone - 40);
  }

  /**
   * Starts the console's Microphone on a "microphone" that plays 7 kHz + 12 kHz from a 48 kHz
   * context; {@code likeFirefox}: a microphone cannot feed a 16 kHz context. Returns the capture
   * rate, the frames received and the two levels.
   */
  @SuppressWarnings("unchecked")
  private List<Number> capture(boolean likeFirefox) {
    return (List<Number>)
        page.evaluate(
            "async (likeFirefox) => {"
                + LEVEL
                + " const source = new AudioContext({ sampleRate: 48000 });"
                + " const dest = source.createMediaStreamDestination();"
                + " for (const hz of [7000, 12000]) { const o = source.createOscillator();"
                + "   const g = source.createGain(); o.frequency.value = hz; g.gain.value = 0.4;"
                + "   o.connect(g).connect(dest); o.start(); }"
                + " await source.resume();"
                + " navigator.mediaDevices.getUserMedia = async () => dest.stream;"
                + " const original = AudioContext.prototype.createMediaStreamSource;"
                + " if (likeFirefox) AudioContext.prototype.createMediaStreamSource ="
                + "   function (s) { if (this.sampleRate === 16000) throw new DOMException("
                + "     'different sample-rate', 'NotSupportedError');"
                + "     return original.call(this, s); };"
                + " const { Microphone } = await import('/console/js/microphone.js');"
                + " const y = []; let frames = 0;"
                + " const mic = new Microphone((pcm) => { frames++;"
                + "   new Int16Array(pcm).forEach(v => y.push(v / 32768)); });"
                + " await mic.start();"
                + " const rate = mic.captureRate;"
                + " await new Promise(r => setTimeout(r, 1500));"
                + " await mic.stop(); await source.close();"
                + " AudioContext.prototype.createMediaStreamSource = original;"
                + " const from = Math.min(4800, y.length >> 1);"
                + " return [rate, frames, db(level(y, 16000, 7000, from)),"
                + "         db(level(y, 16000, 4000, from))]; }",
            likeFirefox);
  }
}
