package org.pentecost.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * axe-core ({@link Axe}) on every state of the listener page at phone size: joining, a session
 * found, live, reconnecting, captions only, interrupted, ended. No violation of any kind is
 * allowed.
 */
class ListenerA11yIT {
  @RegisterExtension static final ConsoleBrowser browser = new ConsoleBrowser();

  TestServer server;
  Page listener;

  @BeforeEach
  void pages() {
    server = browser.server();
    listener = browser.listener();
    Axe.install(listener);
  }

  @Test
  void everyStateOfTheListenerPageHasNoAxeViolation() {
    String token = server.token("pastor");
    String code = server.createSession(token, "en");
    try (WsClient speaker =
            WsClient.connect(
                server,
                "sessionId="
                    + code
                    + "&role=speaker&token="
                    + token
                    + "&codec=pcm16&sampleRate=16000");
        ToneSpeaker tone = ToneSpeaker.start(joined(speaker))) {

      listener.navigate("/listen");
      assertNoViolations("join");
      listener.fill("#code", "no-such-code-1");
      listener.click("#code-form button[type=submit]");
      listener.waitForSelector("#code-error:not(:empty)");
      assertNoViolations("join, code not found");

      listener.navigate("/listen/" + code);
      listener.waitForSelector("#session:not([hidden])");
      assertNoViolations("session found, idle");

      listener.click("#play");
      ConsoleSteps.awaitState(listener, "pentecostListener", "live");
      speaker.send(
          "{\"action\":\"publishCaption\",\"text\":\"Peace be with you\",\"final\":false}");
      listener.waitForSelector("#captions .partial");
      listener.click("summary");
      assertNoViolations("live, with a partial caption, details open");

      listener.evaluate(
          "() => { const c = window.pentecostListener.audioContext;"
              + " c.resume = () => new Promise(() => {}); return c.suspend(); }");
      ConsoleSteps.awaitState(listener, "pentecostListener", "interrupted");
      assertNoViolations("interrupted: tap to resume");
      listener.evaluate("() => { delete window.pentecostListener.audioContext.resume; }");
      listener.click("#resume");
      ConsoleSteps.awaitState(listener, "pentecostListener", "live");

      listener.context().setOffline(true);
      ConsoleSteps.awaitState(listener, "pentecostListener", "reconnecting");
      assertNoViolations("reconnecting (offline)");
      listener.context().setOffline(false);
      ConsoleSteps.awaitState(listener, "pentecostListener", "live");

      listener.check("#captions-only");
      ConsoleSteps.awaitState(listener, "pentecostListener", "live");
      speaker.send(
          "{\"action\":\"publishCaption\",\"text\":\"Peace be with you.\",\"final\":true}");
      listener.waitForSelector("#captions.transcript p:not(.partial)");
      listener.click("#text-larger");
      assertNoViolations("captions only");

      speaker.send("{\"action\":\"publishCaption\",\"text\":\"And also\",\"final\":false}");
      listener.waitForSelector("#captions .partial");
      assertThat(server.send("DELETE", "/sessions/" + code, token, null).status()).isEqualTo(204);
      ConsoleSteps.awaitState(listener, "pentecostListener", "ended");
      assertThat(listener.isHidden("#play")).as("no dead Play button").isTrue();
      assertThat(listener.locator("#captions .partial").count())
          .as("the half-finished line is no longer in italics")
          .isZero();
      assertThat(listener.textContent("#captions")).contains("And also");
      assertNoViolations("ended");
    }
    // An ended session opened afresh: no Play button, no empty captions box.
    listener.navigate("/listen/" + code);
    ConsoleSteps.awaitState(listener, "pentecostListener", "ended");
    assertThat(listener.isHidden("#play")).isTrue();
    assertThat(listener.isHidden("#captions-area")).isTrue();
    assertNoViolations("ended, opened afterwards");
  }

  private static WsClient joined(WsClient speaker) {
    speaker.awaitType("sessionJoined");
    return speaker;
  }

  private void assertNoViolations(String state) {
    Axe.assertNoViolations(listener, "listener page", state);
  }
}
