package org.pentecost.server.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.microsoft.playwright.Page;
import java.nio.file.Paths;
import java.time.Duration;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * Audio end to end in a real headless Chromium: the speaker console streams Chromium's fake
 * microphone, a listener page in another browser profile plays it, through a refresh, with no lost
 * and no repeated frame.
 */
class ConsoleAudioIT {
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
  void theMicrophoneIsHeardLiveWithoutGapsAcrossARefresh() {
    String code = ConsoleSteps.signInAndCreate(speaker, server.token("pastor"), "en");
    ConsoleSteps.awaitState(speaker, "pentecostSpeaker", "ready");

    // (1) The console streams the fake microphone: 20 ms frames, 50 a second.
    speaker.click("#mic");
    ConsoleSteps.awaitState(speaker, "pentecostSpeaker", "live");
    speaker.waitForFunction("() => window.pentecostSpeaker.framesSent > 25");
    assertThat(server.get("/sessions/" + code).json().get("status").asText()).isEqualTo("active");

    // (2) A listener joins by the code and plays it.
    listener.navigate("/listen/" + code);
    listener.click("#play");
    ConsoleSteps.awaitState(listener, "pentecostListener", "live");
    listener.waitForFunction(
        "() => window.pentecostListener.framesReceived > 50"
            + " && window.pentecostListener.playedSeconds > 0.5",
        null,
        new Page.WaitForFunctionOptions().setTimeout(15_000));
    assertThat(listener.textContent("#status")).contains("you are hearing English");
    assertThat(number(listener, "audibleFrames")).as("non-silent frames (the beeps)").isPositive();
    assertNoLoss();
    double played = number(listener, "playedSeconds");
    listener.waitForTimeout(1000);
    assertThat(number(listener, "playedSeconds")).isGreaterThan(played + 0.5);
    listener.click("summary");
    listener.screenshot(
        new Page.ScreenshotOptions()
            .setPath(Paths.get("target").resolve("console-listen-playing.png"))
            .setFullPage(true));

    // (3) One refresh in the middle of the stream: nothing lost, nothing twice, one listener.
    String before = (String) listener.evaluate("window.pentecostListener.connectionId");
    double received = number(listener, "framesReceived");
    assertThat((Boolean) listener.evaluate("window.pentecostListener.refresh()")).isTrue();
    listener.waitForFunction(
        "id => window.pentecostListener.connectionId"
            + " && window.pentecostListener.connectionId !== id",
        before);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(5))
        .until(() -> server.listenerCount(code) == 1);
    listener.waitForFunction("n => window.pentecostListener.framesReceived > n + 100", received);
    assertNoLoss();
    assertThat(speaker.textContent("#total")).isEqualTo("1");
    assertThat(listener.evaluate("window.pentecostListener.state")).isEqualTo("live");
    played = number(listener, "playedSeconds");
    listener.waitForTimeout(1000);
    assertThat(number(listener, "playedSeconds")).isGreaterThan(played + 0.5);

    // (4) Pause and end from the console reach the page; paused audio is not sent.
    speaker.click("#pause");
    ConsoleSteps.awaitState(listener, "pentecostListener", "paused");
    double sent = number(speaker, "framesSent", "pentecostSpeaker");
    speaker.waitForTimeout(500);
    assertThat(number(speaker, "framesSent", "pentecostSpeaker")).isEqualTo(sent);
    speaker.click("#pause");
    ConsoleSteps.awaitState(listener, "pentecostListener", "live");
    received = number(listener, "framesReceived");
    listener.waitForFunction("n => window.pentecostListener.framesReceived > n + 25", received);
    assertNoLoss();
    speaker.onceDialog(dialog -> dialog.accept());
    speaker.click("#end");
    ConsoleSteps.awaitState(listener, "pentecostListener", "ended");
    ConsoleSteps.awaitState(speaker, "pentecostSpeaker", "ended");
  }

  @Test
  void captionsAppearOnTheListenerPage() {
    String token = server.token("pastor");
    String code = server.createSession(token, "en");
    try (WsClient speakerSocket =
        WsClient.connect(server, "sessionId=" + code + "&role=speaker&token=" + token)) {
      speakerSocket.awaitType("sessionJoined");
      listener.navigate("/listen/" + code);
      listener.click("#play");
      ConsoleSteps.awaitState(listener, "pentecostListener", "live");

      speakerSocket.send(
          "{\"action\":\"publishCaption\",\"text\":\"In the beginn\",\"final\":false}");
      listener.waitForSelector("#captions .partial:has-text('In the beginn')");
      speakerSocket.send(
          "{\"action\":\"publishCaption\",\"text\":\"In the beginning was the Word.\",\"final\":true}");
      listener.waitForSelector(
          "#captions p:not(.partial):has-text('In the beginning was the Word.')");
      assertThat(listener.locator("#captions .partial").count()).isZero();
      // Text, never markup.
      speakerSocket.send("{\"action\":\"publishCaption\",\"text\":\"<b>bold</b>\",\"final\":true}");
      listener.waitForSelector("#captions p:has-text('<b>bold</b>')");
      assertThat(listener.locator("#captions b").count()).isZero();
    }
  }

  private void assertNoLoss() {
    ConsoleSteps.assertNoLoss(listener);
  }

  private static double number(Page page, String field) {
    return ConsoleSteps.number(page, "pentecostListener", field);
  }

  private static double number(Page page, String field, String object) {
    return ConsoleSteps.number(page, object, field);
  }
}
