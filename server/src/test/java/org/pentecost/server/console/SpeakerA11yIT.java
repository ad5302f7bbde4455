package org.pentecost.server.console;

import com.microsoft.playwright.Page;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pentecost.server.testing.Clients;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * axe-core ({@link Axe}) on the home page and every state of the speaker console at phone size:
 * signing in (and a refused token), the session list and the create form, a session ready to share,
 * live with the microphone, paused, and the page after the end (summary and transcripts).
 */
class SpeakerA11yIT {
  @RegisterExtension static final ConsoleBrowser browser = new ConsoleBrowser();

  TestServer server;
  Page speaker;

  @BeforeEach
  void pages() {
    server = browser.server();
    speaker = browser.speaker();
    Axe.install(speaker);
  }

  @Test
  void everyStateOfTheSpeakerConsoleHasNoAxeViolation() {
    speaker.navigate("/");
    assertNoViolations("home page");

    speaker.navigate("/speak");
    speaker.waitForSelector("#signin:not([hidden])");
    assertNoViolations("sign in");
    speaker.fill("#token", "not-a-token");
    speaker.click("#signin-form button[type=submit]");
    speaker.waitForFunction("() => document.getElementById('signin-error').textContent !== ''");
    assertNoViolations("sign in, token refused");

    String token = server.token("pastor");
    String code = ConsoleSteps.signInAndCreate(speaker, token, "en");
    ConsoleSteps.awaitState(speaker, "pentecostSpeaker", "ready");
    assertNoViolations("session ready to share");

    try (WsClient listener = Clients.of(server, token).listener(code)) {
      speaker.click("#mic");
      ConsoleSteps.awaitState(speaker, "pentecostSpeaker", "live");
      speaker.waitForFunction("() => document.getElementById('total').textContent === '1'");
      assertNoViolations("live, one listener");

      speaker.click("#pause");
      ConsoleSteps.awaitState(speaker, "pentecostSpeaker", "paused");
      assertNoViolations("paused");
      speaker.click("#pause");
      ConsoleSteps.awaitState(speaker, "pentecostSpeaker", "live");

      speaker.onceDialog(dialog -> dialog.accept());
      speaker.click("#end");
      ConsoleSteps.awaitState(speaker, "pentecostSpeaker", "ended");
    }
    speaker.waitForSelector("#after:not([hidden])");
    speaker.waitForFunction(
        "() => document.getElementById('summary-total').textContent.includes('listener')");
    assertNoViolations("after the end: summary and transcripts");

    speaker.click("#back");
    speaker.waitForSelector("button[aria-label='Summary " + code + "']");
    assertNoViolations("my sessions, one ended");
  }

  private void assertNoViolations(String state) {
    Axe.assertNoViolations(speaker, "speaker console", state);
  }
}
