package org.pentecost.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.Route;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * axe-core (a test resource, never served to users: {@code src/test/resources/axe/}, MPL-2.0,
 * licence beside it) on every state of the listener page at phone size: joining, a session found,
 * live, reconnecting, captions only, interrupted, ended. No violation of any kind is allowed.
 */
class ListenerA11yIT {
  @RegisterExtension static final ConsoleBrowser browser = new ConsoleBrowser();

  /** Where the page loads axe from: the page's own origin, so that its CSP allows it. */
  private static final String AXE_URL = "/__test/axe.min.js";

  private static final String AXE = resource("/axe/axe.min.js");

  TestServer server;
  Page listener;

  @BeforeEach
  void pages() {
    server = browser.server();
    listener = browser.listener();
    listener.route(
        "**" + AXE_URL,
        route ->
            route.fulfill(
                new Route.FulfillOptions().setBody(AXE).setContentType("text/javascript")));
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
    if (!Boolean.TRUE.equals(listener.evaluate("() => !!window.axe"))) {
      listener.addScriptTag(new Page.AddScriptTagOptions().setUrl(AXE_URL));
    }
    @SuppressWarnings("unchecked")
    List<String> violations =
        (List<String>)
            listener.evaluate(
                "async () => { const r = await axe.run(document, { resultTypes: ['violations'] });"
                    + " return r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help"
                    + " + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', ')); }");
    System.out.printf("axe, listener page, %s: %d violations%n", state, violations.size());
    assertThat(violations).as("axe violations, %s", state).isEmpty();
  }

  private static String resource(String name) {
    try (InputStream in = ListenerA11yIT.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("test resource missing: " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
