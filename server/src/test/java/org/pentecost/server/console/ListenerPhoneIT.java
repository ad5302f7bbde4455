package org.pentecost.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * The listener page on a phone-sized headless Chromium, as a phone would stress it: time to sound,
 * a suspended AudioContext, the network gone for 5 s, a reload mid-stream, and captions-only mode.
 * The speaker is a real-time PCM tone ({@link ToneSpeaker}). Timings are printed (they go to
 * docs/benchmarks.md), never asserted: the assertions are that sound arrives.
 */
class ListenerPhoneIT {
  @RegisterExtension static final ConsoleBrowser browser = new ConsoleBrowser();

  private static final String STATS = "pentecostListener";

  TestServer server;
  Page listener;

  @BeforeEach
  void pages() {
    server = browser.server();
    listener = browser.listener();
  }

  private ToneSpeaker talkingSession() {
    String token = server.token("pastor");
    String code = server.createSession(token, "en");
    WsClient speaker =
        WsClient.connect(
            server,
            "sessionId=" + code + "&role=speaker&token=" + token + "&codec=pcm16&sampleRate=16000");
    speaker.awaitType("sessionJoined");
    return ToneSpeaker.start(speaker);
  }

  private static String code(ToneSpeaker s) {
    return s.client().seen().get(0).get("sessionId").asText();
  }

  /** Opens the session's page, presses Play, waits for sound at the player's output. */
  private static void listen(Page page, String code) {
    page.navigate("/listen/" + code);
    page.click("#play");
    awaitSound(page);
  }

  private static void awaitSound(Page page) {
    page.waitForFunction(
        "() => window.pentecostListener.firstSoundMs !== null"
            + " && window.pentecostListener.state === 'live'",
        null,
        new Page.WaitForFunctionOptions().setTimeout(15_000));
  }

  private static double number(Page page, String field) {
    return ConsoleSteps.number(page, STATS, field);
  }

  @Test
  void timeToSoundFromOpeningThePage() {
    try (ToneSpeaker speaker = talkingSession()) {
      String code = code(speaker);
      List<Double> runs = new ArrayList<>();
      List<Double> afterPlay = new ArrayList<>();
      List<String> steps = new ArrayList<>();
      for (int i = -1; i < 7; i++) { // run -1 warms the node up (first static files, JIT)
        BrowserContext context = browser.chromium().context(server.baseUrl());
        try {
          Page page = browser.chromium().page(context);
          listen(page, code);
          // performance.now() counts from the navigation: opening the page, the lookup, the
          // tap on Play (at once here), the join, the jitter buffer's 200 ms, the first sample.
          assertThat(number(page, "audibleFrames")).as("non-silent frames").isPositive();
          if (i < 0) {
            continue;
          }
          runs.add(number(page, "firstSoundMs"));
          afterPlay.add(number(page, "firstSoundMs") - number(page, "playMs"));
          steps.add(
              page.evaluate(
                      "() => { const n = performance.getEntriesByType('navigation')[0];"
                          + " const s = performance.getEntriesByType('resource')"
                          + "   .find(r => r.name.includes('/sessions/'));"
                          + " const l = window.pentecostListener; const r = Math.round;"
                          + " return 'html ' + r(n.responseEnd) + ', scripts run '"
                          + "   + r(n.domContentLoadedEventEnd) + ', session found '"
                          + "   + r(s ? s.responseEnd : -1) + ', play ' + r(l.playMs)"
                          + "   + ', joined ' + r(l.joinedMs) + ', sound ' + r(l.firstSoundMs); }")
                  .toString());
        } finally {
          context.close();
        }
      }
      List<Double> sorted = runs.stream().sorted().toList();
      System.out.printf(
          "time to sound (ms from opening /listen/<code>): median %.0f, min %.0f, max %.0f, runs %s%n",
          sorted.get(sorted.size() / 2), sorted.get(0), sorted.get(sorted.size() - 1), steps);
      System.out.printf(
          "time to sound from the tap on Play: median %.0f ms%n",
          afterPlay.stream().sorted().toList().get(afterPlay.size() / 2));
      assertThat(runs).hasSize(7).allMatch(ms -> ms > 0);
    }
  }

  @Test
  void aSuspendedContextIsResumedOrAsksForOneTap() {
    try (ToneSpeaker speaker = talkingSession()) {
      listen(listener, code(speaker));
      assertThat(listener.evaluate("window.pentecostListener.audioContext.state"))
          .isEqualTo("running");
      assertThat(listener.evaluate("window.pentecostListener.output"))
          .as("played as media, through an <audio> element")
          .isEqualTo("element");
      assertThat(listener.evaluate("navigator.mediaSession.metadata.title"))
          .isEqualTo(code(speaker));
      assertThat(listener.evaluate("navigator.mediaSession.playbackState")).isEqualTo("playing");

      // (1) Suspended (a phone call, another app): resumed by itself.
      listener.evaluate("window.pentecostListener.audioContext.suspend()");
      listener.waitForFunction(
          "() => window.pentecostListener.autoResumes >= 1"
              + " && window.pentecostListener.audioContext.state === 'running'");
      ConsoleSteps.awaitState(listener, STATS, "live");
      assertThat(number(listener, "interruptions")).isGreaterThanOrEqualTo(1);

      // (2) The browser will not resume without a gesture: the page asks for one tap, and never
      // claims to be live meanwhile.
      listener.evaluate(
          "() => { const c = window.pentecostListener.audioContext;"
              + " c.resume = () => new Promise(() => {}); return c.suspend(); }");
      ConsoleSteps.awaitState(listener, STATS, "interrupted");
      assertThat(listener.textContent("#status")).contains("Tap to resume");
      assertThat(listener.isVisible("#resume")).isTrue();
      listener.waitForTimeout(500);
      assertThat(listener.textContent("#status")).doesNotContain("you are hearing");
      listener.evaluate("() => { delete window.pentecostListener.audioContext.resume; }");
      listener.click("#resume");
      ConsoleSteps.awaitState(listener, STATS, "live");
      assertThat(listener.isVisible("#resume")).isFalse();
      double played = number(listener, "playedSeconds");
      listener.waitForFunction("p => window.pentecostListener.playedSeconds > p + 0.5", played);
      ConsoleSteps.assertNoLoss(listener);
    }
  }

  @Test
  void fiveSecondsOfflineThenSoundWithinASecondWithoutDuplicates() {
    try (ToneSpeaker speaker = talkingSession()) {
      listen(listener, code(speaker));
      listener.waitForFunction("() => window.pentecostListener.playedSeconds > 1");
      BrowserContext context = listener.context();
      context.setOffline(true);
      ConsoleSteps.awaitState(listener, STATS, "reconnecting");
      assertThat(listener.textContent("#status")).contains("No network");
      assertThat(listener.textContent("#status")).doesNotContain("speaker");
      listener.waitForTimeout(5000);
      listener.evaluate("() => { window.backOnlineAt = performance.now(); }");
      context.setOffline(false);
      listener.waitForFunction(
          "() => window.pentecostListener.soundStarts.some(t => t > window.backOnlineAt)",
          null,
          new Page.WaitForFunctionOptions().setTimeout(10_000));
      double ms =
          ((Number)
                  listener.evaluate(
                      "() => window.pentecostListener.soundStarts.find("
                          + "t => t > window.backOnlineAt) - window.backOnlineAt"))
              .doubleValue();
      System.out.printf(
          "sound back after 5 s offline: %.0f ms after the network returned (stalls %s, fast"
              + " reconnects %s)%n",
          ms, number(listener, "stalls"), number(listener, "fastReconnects"));
      ConsoleSteps.awaitState(listener, STATS, "live");
      double received = number(listener, "framesReceived");
      listener.waitForFunction("n => window.pentecostListener.framesReceived > n + 50", received);
      assertThat(number(listener, "duplicates"))
          .as(
              "duplicates %s",
              listener.evaluate("JSON.stringify(window.pentecostListener.anomalies)"))
          .isZero();
    }
  }

  @Test
  void aQuietSpeakerIsToldApartFromALostConnection() {
    try (ToneSpeaker speaker = talkingSession()) {
      listen(listener, code(speaker));
      speaker.talk(false);
      listener.waitForFunction(
          "() => window.pentecostListener.detail === 'status.speakerSilent'",
          null,
          new Page.WaitForFunctionOptions().setTimeout(10_000));
      assertThat(listener.textContent("#status")).contains("not sending audio");
      assertThat(number(listener, "stalls")).as("a quiet speaker is not a stall").isZero();
      speaker.talk(true);
      listener.waitForFunction(
          "() => window.pentecostListener.detail === 'status.live'",
          null,
          new Page.WaitForFunctionOptions().setTimeout(10_000));
      assertThat(listener.textContent("#status")).contains("you are hearing English");
    }
  }

  @Test
  void aReloadMidStreamPlaysAgainWithoutATap() {
    try (ToneSpeaker speaker = talkingSession()) {
      listen(listener, code(speaker));
      listener.reload();
      awaitSound(listener); // no click: the page remembered it was playing
      double played = number(listener, "playedSeconds");
      listener.waitForFunction("p => window.pentecostListener.playedSeconds > p + 0.5", played);
      assertThat(listener.textContent("#status")).contains("you are hearing English");
      assertThat(server.listenerCount(code(speaker))).isEqualTo(1);
    }
  }

  @Test
  void captionsOnlyModeDownloadsNoAudioFrames() {
    try (ToneSpeaker speaker = talkingSession()) {
      AtomicInteger binary = new AtomicInteger();
      AtomicInteger text = new AtomicInteger();
      listener.onWebSocket(
          ws ->
              ws.onFrameReceived(
                  f -> (f.binary() != null && f.text() == null ? binary : text).incrementAndGet()));
      listener.navigate("/listen/" + code(speaker));
      listener.check("#captions-only");
      assertThat(listener.isVisible("#text-larger")).isTrue();
      listener.click("#play");
      ConsoleSteps.awaitState(listener, STATS, "live");
      assertThat(listener.textContent("#status")).contains("captions in English, no sound");
      speaker
          .client()
          .send("{\"action\":\"publishCaption\",\"text\":\"Grace to you.\",\"final\":true}");
      listener.waitForSelector("#captions.transcript p:has-text('Grace to you.')");
      listener.waitForTimeout(1500); // the tone goes on meanwhile: 75 frames to the others
      assertThat(binary.get()).as("binary WebSocket frames received").isZero();
      assertThat(text.get()).as("text frames (sessionJoined, caption)").isGreaterThan(1);
      assertThat(number(listener, "framesReceived")).isZero();
      assertThat(listener.evaluate("window.pentecostListener.audioContext")).isNull();

      // Larger text, remembered with the mode across a reload.
      String before = (String) listener.evaluate("getComputedStyle(captions).fontSize");
      listener.click("#text-larger");
      String after = (String) listener.evaluate("getComputedStyle(captions).fontSize");
      assertThat(Double.parseDouble(after.replace("px", "")))
          .isGreaterThan(Double.parseDouble(before.replace("px", "")));
      listener.reload();
      ConsoleSteps.awaitState(listener, STATS, "live");
      assertThat(listener.isChecked("#captions-only")).isTrue();
      assertThat(listener.evaluate("getComputedStyle(captions).fontSize")).isEqualTo(after);
      assertThat(speaker.sent()).isGreaterThan(75);
    }
  }
}
