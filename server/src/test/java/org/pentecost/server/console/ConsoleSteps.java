package org.pentecost.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
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
}
