package org.pentecost.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import java.util.Base64;
import java.util.List;

/** What the browser tests do often on the console's pages. */
final class ConsoleSteps {
  /** Counts the dark pixels of the QR code canvas. */
  static final String DARK_QR_PIXELS =
      "() => { const c = document.getElementById('qr');"
          + " const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;"
          + " let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 128) n++; return n; }";

  private ConsoleSteps() {}

  /** Signs in on /speak with {@code token}, creates a session, returns its code. */
  static String signInAndCreate(Page speaker, String token, String language) {
    speaker.navigate("/speak");
    speaker.fill("#token", token);
    speaker.click("#signin-form button[type=submit]");
    speaker.waitForSelector("#home:not([hidden])");
    speaker.selectOption("#source", language);
    speaker.click("#create-form button[type=submit]");
    speaker.waitForSelector("#live:not([hidden])");
    speaker.waitForFunction("() => window.pentecostSpeaker.sessionId");
    return (String) speaker.evaluate("window.pentecostSpeaker.sessionId");
  }

  /** Waits (10 s at most) until {@code window[object].state} is {@code state}. */
  static void awaitState(Page page, String object, String state) {
    try {
      page.waitForFunction(
          "([o, s]) => window[o] && window[o].state === s",
          List.of(object, state),
          new Page.WaitForFunctionOptions().setTimeout(10_000));
    } catch (RuntimeException e) {
      Object actual = page.evaluate("o => window[o] && window[o].state", object);
      String status = page.isVisible("#status") ? page.textContent("#status") : "";
      throw new AssertionError(
          object + ".state: expected " + state + " but was " + actual + " (" + status + ")", e);
    }
  }

  /** {@code window[object][field]} of the page, a number. */
  static double number(Page page, String object, String field) {
    return ((Number) page.evaluate("([o, f]) => window[o][f]", List.of(object, field)))
        .doubleValue();
  }

  /** The listener page counted no gap and no duplicate; if it did, says which frames. */
  static void assertNoLoss(Page listener) {
    Object anomalies = listener.evaluate("JSON.stringify(window.pentecostListener.anomalies)");
    assertThat(number(listener, "pentecostListener", "gaps")).as("gaps %s", anomalies).isZero();
    assertThat(number(listener, "pentecostListener", "duplicates"))
        .as("duplicates %s", anomalies)
        .isZero();
  }

  /**
   * {@code count} real Opus packets of 20 ms, mono at {@code sampleRate}, of a sine at {@code hz}
   * with a peak of 0.5, made by the browser's WebCodecs encoder in {@code page} (any page of the
   * server: WebCodecs needs a secure context).
   */
  static List<byte[]> opusPackets(Page page, int sampleRate, int count, double hz) {
    @SuppressWarnings("unchecked")
    List<String> packets =
        (List<String>)
            page.evaluate(
                "async ([rate, count, hz]) => {"
                    + " const packets = []; let failure = null;"
                    + " const encoder = new AudioEncoder({"
                    + "   output: (chunk) => { const b = new Uint8Array(chunk.byteLength);"
                    + "     chunk.copyTo(b); packets.push(btoa(String.fromCharCode(...b))); },"
                    + "   error: (e) => { failure = String(e); } });"
                    + " encoder.configure({ codec: 'opus', sampleRate: rate, numberOfChannels: 1,"
                    + "   bitrate: 32000, opus: { frameDuration: 20000 } });"
                    + " const n = rate / 50;"
                    + " for (let i = 0; i < count; i++) {"
                    + "   const s = new Float32Array(n);"
                    + "   for (let j = 0; j < n; j++) s[j] = 0.5 * Math.sin(2 * Math.PI * hz * (i * n + j) / rate);"
                    + "   const data = new AudioData({ format: 'f32', sampleRate: rate, numberOfFrames: n,"
                    + "     numberOfChannels: 1, timestamp: i * 20000, data: s });"
                    + "   encoder.encode(data); data.close(); }"
                    + " await encoder.flush(); encoder.close();"
                    + " if (failure) throw new Error(failure);"
                    + " return packets; }",
                List.of(sampleRate, count, hz));
    return packets.stream().map(p -> Base64.getDecoder().decode(p)).toList();
  }

  /** Frame {@code n} (from 0) of a 16 kHz PCM16 sine at {@code hz}, 20 ms, peak 0.5. */
  static byte[] pcmTone(int n, double hz) {
    byte[] frame = new byte[640];
    for (int i = 0; i < 320; i++) {
      double t = (n * 320.0 + i) / 16_000;
      short v = (short) Math.round(0.5 * 32767 * Math.sin(2 * Math.PI * hz * t));
      frame[2 * i] = (byte) v;
      frame[2 * i + 1] = (byte) (v >> 8);
    }
    return frame;
  }
}
