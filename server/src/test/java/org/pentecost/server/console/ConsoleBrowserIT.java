package org.pentecost.server.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Page;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * The speaker console and the listener page in a real headless Chromium against a real node:
 * sign-in, sessions, QR link, joining by code, status changes reaching the listener, the refresh
 * flow. Audio itself is covered by {@code ConsoleAudioIT}.
 */
class ConsoleBrowserIT {
  @RegisterExtension static final ConsoleBrowser browser = new ConsoleBrowser();

  TestServer server;
  Page speaker;
  Page listener;

  @BeforeEach
  void pages() {
    server = browser.server();
    speaker = browser.speaker();
    listener = browser.listener();
  }

  @Test
  void speakerCreatesASessionThatAListenerJoinsByItsCode() {
    String code = ConsoleSteps.signInAndCreate(speaker, server.token("pastor"), "en");

    assertThat(speaker.textContent("#live-code")).isEqualTo(code);
    // opened as 127.0.0.1: the join link is the server's LAN address (SpeakerPageIT)
    String link = server.baseUrl() + "/listen/" + code;
    speaker.waitForFunction("() => document.getElementById('join-link').href.includes('/listen/')");
    String shared = speaker.getAttribute("#join-link", "href");
    assertThat(shared).endsWith("/listen/" + code).doesNotContain("127.0.0.1");
    assertThat(speaker.textContent("#join-link")).isEqualTo(shared);
    assertThat((Number) speaker.evaluate(ConsoleSteps.DARK_QR_PIXELS))
        .asInstanceOf(org.assertj.core.api.InstanceOfAssertFactories.INTEGER)
        .isGreaterThan(1000);
    assertThat(server.get("/sessions/" + code).json().get("status").asText()).isEqualTo("active");
    ConsoleSteps.awaitState(speaker, "pentecostSpeaker", "ready");

    // Typed as heard: capitals and spaces.
    listener.navigate("/listen");
    listener.fill("#code", "  " + code.toUpperCase().replace('-', ' ') + " ");
    listener.press("#code", "Enter");
    listener.waitForSelector("#session:not([hidden])");
    assertThat(listener.textContent("#session-code")).isEqualTo(code);
    assertThat(listener.url()).isEqualTo(link);
    assertThat(listener.inputValue("#language")).isEqualTo("en");

    listener.click("#play");
    ConsoleSteps.awaitState(listener, "pentecostListener", "live");
    assertThat(listener.textContent("#status")).contains("Live");
    server.awaitListenerCount(code, 1);
    speaker.waitForFunction("() => document.getElementById('total').textContent === '1'");
    assertThat(speaker.textContent("#by-language")).contains("English (en)");
  }

  @Test
  void refreshKeepsTheListenersPlace() {
    String code = ConsoleSteps.signInAndCreate(speaker, server.token("pastor"), "en");
    listener.navigate("/listen/" + code);
    listener.click("#play");
    ConsoleSteps.awaitState(listener, "pentecostListener", "live");
    server.awaitListenerCount(code, 1);
    String before = (String) listener.evaluate("window.pentecostListener.connectionId");

    assertThat((Boolean) listener.evaluate("window.pentecostListener.refresh()")).isTrue();
    listener.waitForFunction(
        "id => window.pentecostListener.connectionId && window.pentecostListener.connectionId !== id",
        before);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> server.listenerCount(code) == 1);
    assertThat((String) listener.evaluate("window.pentecostListener.state")).isEqualTo("live");
    speaker.waitForFunction("() => document.getElementById('total').textContent === '1'");

    // The speaker's connection refreshes the same way, without its listeners noticing.
    String speakerBefore = (String) speaker.evaluate("window.pentecostSpeaker.connectionId");
    assertThat((Boolean) speaker.evaluate("window.pentecostSpeaker.refresh()")).isTrue();
    speaker.waitForFunction(
        "id => window.pentecostSpeaker.connectionId && window.pentecostSpeaker.connectionId !== id",
        speakerBefore);
    assertThat((String) listener.evaluate("window.pentecostListener.state")).isEqualTo("live");
    assertThat(server.listenerCount(code)).isEqualTo(1);
  }

  @Test
  void pauseResumeAndEndReachTheListener() {
    String code = ConsoleSteps.signInAndCreate(speaker, server.token("pastor"), "en");
    listener.navigate("/listen?code=" + code);
    listener.click("#play");
    ConsoleSteps.awaitState(listener, "pentecostListener", "live");

    speaker.click("#pause");
    ConsoleSteps.awaitState(listener, "pentecostListener", "paused");
    ConsoleSteps.awaitState(speaker, "pentecostSpeaker", "paused");
    assertThat(listener.textContent("#status")).contains("Paused by the speaker");
    assertThat(server.get("/sessions/" + code).json().get("status").asText()).isEqualTo("paused");
    assertThat(speaker.textContent("#pause")).isEqualTo("Resume");

    speaker.click("#pause");
    ConsoleSteps.awaitState(listener, "pentecostListener", "live");
    assertThat(server.get("/sessions/" + code).json().get("status").asText()).isEqualTo("active");

    speaker.onceDialog(dialog -> dialog.accept());
    speaker.click("#end");
    ConsoleSteps.awaitState(listener, "pentecostListener", "ended");
    ConsoleSteps.awaitState(speaker, "pentecostSpeaker", "ended");
    assertThat(listener.textContent("#status")).contains("The session has ended");
    assertThat(listener.isHidden("#play")).as("no dead Play button").isTrue();
    assertThat(server.get("/sessions/" + code).json().get("status").asText()).isEqualTo("ended");
  }

  @Test
  void aSpeakerWhoDropsAndComesBackIsShown() {
    String token = server.token("pastor");
    String code = server.createSession(token, "en");
    String speakerQuery = "sessionId=" + code + "&role=speaker&token=" + token;
    try (WsClient first = WsClient.connect(server, speakerQuery)) {
      first.awaitType("sessionJoined");
      listener.navigate("/listen/" + code);
      listener.click("#play");
      ConsoleSteps.awaitState(listener, "pentecostListener", "live");

      first.abort();
      ConsoleSteps.awaitState(listener, "pentecostListener", "speakerAway");
      assertThat(listener.textContent("#status")).contains("waiting up to 30 s");
    }
    try (WsClient back = WsClient.connect(server, speakerQuery)) {
      back.awaitType("sessionJoined");
      ConsoleSteps.awaitState(listener, "pentecostListener", "live");
      assertThat(server.listenerCount(code)).isEqualTo(1);
    }
  }

  @Test
  void endingAsksFirst() {
    String code = ConsoleSteps.signInAndCreate(speaker, server.token("pastor"), "en");
    speaker.onceDialog(dialog -> dialog.dismiss());
    speaker.click("#end");
    speaker.waitForTimeout(300);
    assertThat(server.get("/sessions/" + code).json().get("status").asText()).isEqualTo("active");
  }

  @Test
  void mySessionsCanBeResumedAfterAReload() {
    String code = ConsoleSteps.signInAndCreate(speaker, server.token("deacon"), "fr");
    speaker.reload(); // the token is in sessionStorage: still signed in
    speaker.waitForSelector("#home:not([hidden])");
    speaker.waitForSelector("text=" + code);
    assertThat(speaker.url()).doesNotContain("ey"); // never the token in the address
    speaker.click("button[aria-label='Open " + code + "']");
    speaker.waitForSelector("#live:not([hidden])");
    assertThat(speaker.textContent("#live-code")).isEqualTo(code);
    assertThat(speaker.textContent("#live-meta")).contains("French");
    ConsoleSteps.awaitState(speaker, "pentecostSpeaker", "ready");

    speaker.click("#signout");
    speaker.waitForSelector("#signin:not([hidden])");
    assertThat(speaker.evaluate("sessionStorage.length")).isEqualTo(0);
  }

  @Test
  void aBadTokenOrAnUnknownCodeIsExplained() {
    speaker.navigate("/speak");
    speaker.fill("#token", "not-a-token");
    speaker.click("#signin-form button[type=submit]");
    speaker.waitForFunction("() => document.getElementById('signin-error').textContent !== ''");
    assertThat(speaker.textContent("#signin-error")).contains("not accepted");

    listener.navigate("/listen/nothing-here-000");
    listener.waitForFunction("() => document.getElementById('code-error').textContent !== ''");
    assertThat(listener.textContent("#code-error")).contains("No live session has this code");
    assertThat(listener.inputValue("#code")).isEqualTo("nothing-here-000");
  }

  @Test
  void screenshotsAtPhoneSize() {
    Path target = Paths.get("target");
    speaker.navigate("/");
    speaker.screenshot(new Page.ScreenshotOptions().setPath(target.resolve("console-home.png")));
    speaker.navigate("/speak");
    speaker.waitForSelector("#signin:not([hidden])");
    speaker.screenshot(new Page.ScreenshotOptions().setPath(target.resolve("console-signin.png")));
    listener.navigate("/listen");
    listener.screenshot(new Page.ScreenshotOptions().setPath(target.resolve("console-join.png")));
    String code = ConsoleSteps.signInAndCreate(speaker, server.token("pastor"), "en");
    ConsoleSteps.awaitState(speaker, "pentecostSpeaker", "ready");
    listener.navigate("/listen/" + code);
    listener.click("#play");
    ConsoleSteps.awaitState(listener, "pentecostListener", "live");
    speaker.waitForFunction("() => document.getElementById('total').textContent === '1'");
    speaker.screenshot(
        new Page.ScreenshotOptions()
            .setPath(target.resolve("console-speak.png"))
            .setFullPage(true));
    listener.screenshot(
        new Page.ScreenshotOptions()
            .setPath(target.resolve("console-listen.png"))
            .setFullPage(true));
  }
}
