package org.pentecost.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.WaitForSelectorState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pentecost.client.Connection;
import org.pentecost.client.PentecostClient;
import org.pentecost.server.testing.TestServer;

/**
 * Opus in a real headless Chromium, encoded and decoded by its WebCodecs: the speaker console
 * streams Opus, the listener page plays Opus from the console and from the Java client, follows the
 * format of whatever it hears, and says so plainly where the browser cannot decode it.
 */
class ConsoleOpusIT {
  @RegisterExtension static final ConsoleBrowser browser = new ConsoleBrowser();

  private static final String LISTENER = "pentecostListener";

  /** Before the page's scripts run: a browser without WebCodecs (as older Safari and Firefox). */
  private static final String NO_WEBCODECS =
      "delete window.AudioEncoder; delete window.AudioDecoder; delete window.AudioData;"
          + " delete window.EncodedAudioChunk;";

  /** Whether the page loaded the WebAssembly Opus decoder (vendor/opus-decoder.min.js). */
  private static final String WASM_LOADED =
      "() => typeof (window['opus-decoder'] || {}).OpusDecoder === 'function'";

  TestServer server;
  Page speaker;
  Page listener;
  Vertx vertx;
  final List<Thread> publishers = new ArrayList<>();

  @BeforeEach
  void start() {
    server = browser.server();
    speaker = browser.speaker();
    listener = browser.listener();
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    for (Thread t : publishers) {
      t.interrupt();
      t.join(2000);
    }
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void thisChromiumEncodesAndDecodesOpus() {
    speaker.navigate("/");
    Object supported =
        speaker.evaluate(
            "async () => { const out = [];"
                + " for (const rate of [16000, 48000]) {"
                + "   const c = { codec: 'opus', sampleRate: rate, numberOfChannels: 1 };"
                + "   out.push((await AudioEncoder.isConfigSupported(c)).supported,"
                + "            (await AudioDecoder.isConfigSupported(c)).supported); }"
                + " return out; }");
    assertThat(supported)
        .as("encoder, decoder at 16 and 48 kHz")
        .isEqualTo(List.of(true, true, true, true));
  }

  @Test
  void theConsoleStreamsOpusByDefaultThatAListenerPagePlays() {
    String code = ConsoleSteps.signInAndCreate(speaker, server.token("pastor"), "en");
    ConsoleSteps.awaitState(speaker, "pentecostSpeaker", "ready");
    assertThat(speaker.inputValue("#codec")).as("the default").isEqualTo("opus");
    speaker.waitForFunction("() => window.pentecostSpeaker.codec === 'opus'");
    play(code);
    awaitFormat(listener, "opus");
    assertThat(listener.evaluate("window.pentecostListener.format.sampleRate")).isEqualTo(16000);
    assertThat(server.listenerCount(code)).isEqualTo(1);

    // (1) The fake microphone, encoded in the page, decoded and played by the listener's.
    speaker.click("#mic");
    ConsoleSteps.awaitState(speaker, "pentecostSpeaker", "live");
    awaitPlaying(100, 1.0);
    assertThat(listener.textContent("#status")).contains("you are hearing English");
    assertHearing(1);
    assertThat(number("audibleFrames")).as("non-silent frames").isPositive();
    assertThat(listener.evaluate(WASM_LOADED)).as("WebAssembly decoder loaded").isEqualTo(false);

    // (2) A refresh in the middle: the same accounting as with PCM.
    String before = (String) listener.evaluate("window.pentecostListener.connectionId");
    assertThat((Boolean) listener.evaluate("window.pentecostListener.refresh()")).isTrue();
    listener.waitForFunction(
        "id => window.pentecostListener.connectionId"
            + " && window.pentecostListener.connectionId !== id",
        before);
    double received = number("framesReceived");
    listener.waitForFunction("n => window.pentecostListener.framesReceived > n + 100", received);
    assertHearing(1);

    // (3) PCM picked by hand while the microphone is on: listeners follow without a gap, and the
    // choice is remembered for the next session.
    speaker.selectOption("#codec", "pcm16");
    speaker.waitForFunction("() => window.pentecostSpeaker.codec === 'pcm16'");
    awaitFormat(listener, "pcm16");
    received = number("framesReceived");
    listener.waitForFunction("n => window.pentecostListener.framesReceived > n + 50", received);
    assertHearing(1);
    listener.click("summary");
    assertThat(listener.textContent("#d-format")).isEqualTo("PCM, 16 kHz mono");
    assertThat(speaker.evaluate("localStorage.getItem('pentecost.speakerCodec')"))
        .isEqualTo("pcm16");
  }

  @Test
  void aListenerPagePlaysOpusPublishedByTheJavaClient() throws Exception {
    String token = server.token("pastor");
    String code = server.createSession(token, "en");
    speaker.navigate("/");
    List<byte[]> packets = ConsoleSteps.opusPackets(speaker, 48_000, 300, 440);
    Connection java =
        join(
            PentecostClient.speaker(vertx, URI.create(server.baseUrl()), code, token)
                .param("codec", "opus")
                .param("sampleRate", "48000")
                .param("frameMs", "20")
                .connect());

    play(code);
    awaitFormat(listener, "opus");
    assertThat(listener.evaluate("window.pentecostListener.format.sampleRate")).isEqualTo(48000);
    publish(java, packets.size(), packets::get);
    awaitPlaying(150, 1.5);
    assertHearing(1);
    listener.waitForFunction("n => window.pentecostListener.framesReceived === n", packets.size());
    // A steady tone: every frame decoded is loud, past the codec's first few.
    int[] counts = decodedAndAudible();
    assertThat(counts[1]).as("audible of %d decoded", counts[0]).isGreaterThan(counts[0] - 5);
    listener.click("summary");
    assertThat(listener.textContent("#d-format")).isEqualTo("Opus, 48 kHz mono");
  }

  @Test
  void theListenerPageFollowsTheFormatOfTheLanguageItHears() throws Exception {
    // The console speaks English in PCM; a translation worker (the Java client) Spanish in Opus.
    String token = server.token("pastor");
    String code = ConsoleSteps.signInAndCreate(speaker, token, "en");
    ConsoleSteps.awaitState(speaker, "pentecostSpeaker", "ready");
    speaker.selectOption("#codec", "pcm16");
    speaker.waitForFunction("() => window.pentecostSpeaker.codec === 'pcm16'");
    speaker.click("#mic");
    ConsoleSteps.awaitState(speaker, "pentecostSpeaker", "live");
    Page encoder = browser.chromium().page(browser.speaker().context());
    encoder.navigate("/");
    List<byte[]> packets = ConsoleSteps.opusPackets(encoder, 16_000, 250, 300);
    Connection worker =
        join(
            PentecostClient.worker(vertx, URI.create(server.baseUrl()), code, token, "es")
                .param("codec", "opus")
                .param("sampleRate", "16000")
                .connect());
    publish(worker, 50 * 60, i -> packets.get(i % packets.size()));

    listener.navigate("/listen/" + code);
    listener.selectOption("#language", "en");
    listener.click("#play");
    ConsoleSteps.awaitState(listener, LISTENER, "live");
    awaitFormat(listener, "pcm16");
    awaitPlaying(50, 0.5);

    listener.selectOption("#language", "es");
    awaitFormat(listener, "opus");
    int[] before = decodedAndAudible();
    listener.waitForFunction("n => window.pentecostListener.decodedFrames > n + 100", before[0]);
    int[] after = decodedAndAudible();
    assertThat(after[1] - before[1])
        .as("audible of %d decoded", after[0] - before[0])
        .isGreaterThan(after[0] - before[0] - 5);
    listener.waitForFunction(
        "() => document.getElementById('status').textContent.includes('hearing Spanish')");
    assertHearing(1);

    listener.selectOption("#language", "en");
    awaitFormat(listener, "pcm16");
    double decoded = number("decodedFrames");
    listener.waitForFunction("n => window.pentecostListener.decodedFrames > n + 50", decoded);
    assertHearing(1);
  }

  @Test
  void aListenerWithoutWebCodecsDecodesTheConsolesOpusWithWebAssembly() {
    listener.context().addInitScript(NO_WEBCODECS);
    String code = ConsoleSteps.signInAndCreate(speaker, server.token("pastor"), "en");
    ConsoleSteps.awaitState(speaker, "pentecostSpeaker", "ready");
    speaker.waitForFunction("() => window.pentecostSpeaker.codec === 'opus'");
    speaker.click("#mic");
    ConsoleSteps.awaitState(speaker, "pentecostSpeaker", "live");

    play(code);
    assertThat(listener.evaluate("typeof window.AudioDecoder")).isEqualTo("undefined");
    awaitFormat(listener, "opus");
    awaitPlaying(100, 1.0);
    assertThat(listener.evaluate(WASM_LOADED)).as("WebAssembly decoder loaded").isEqualTo(true);
    assertThat(listener.textContent("#status")).contains("you are hearing English");
    assertHearing(1);
    assertThat(number("decodedFrames")).isGreaterThan(100);
    assertThat(number("audibleFrames")).as("non-silent frames (the beeps)").isPositive();
  }

  @Test
  void withoutWebCodecsTheConsoleSendsPcmAndAListenerDecodesOpusWithWebAssembly() throws Exception {
    BrowserContext old = browser.chromium().context(server.baseUrl());
    BrowserContext ancient = browser.chromium().context(server.baseUrl());
    try {
      old.addInitScript(NO_WEBCODECS);
      Page oldSpeaker = browser.chromium().page(old);
      String token = server.token("pastor");
      ConsoleSteps.signInAndCreate(oldSpeaker, token, "en");
      oldSpeaker.waitForSelector(
          "#codec option[value=opus]:disabled",
          new Page.WaitForSelectorOptions().setState(WaitForSelectorState.ATTACHED));
      assertThat(oldSpeaker.inputValue("#codec")).isEqualTo("pcm16");
      assertThat(oldSpeaker.textContent("#codec-note")).contains("cannot encode Opus");

      // A steady tone in Opus at 48 kHz, decoded by libopus in WebAssembly: every frame is loud.
      String code = server.createSession(token, "en");
      URI base = URI.create(server.baseUrl());
      speaker.navigate("/");
      List<byte[]> packets = ConsoleSteps.opusPackets(speaker, 48_000, 300, 440);
      Connection opus =
          join(
              PentecostClient.speaker(vertx, base, code, token)
                  .param("codec", "opus")
                  .param("sampleRate", "48000")
                  .param("frameMs", "20")
                  .maxReconnectAttempts(0)
                  .connect());
      Page oldListener = browser.chromium().page(old);
      oldListener.navigate("/listen/" + code);
      oldListener.click("#play");
      ConsoleSteps.awaitState(oldListener, LISTENER, "live");
      publish(opus, packets.size(), packets::get);
      oldListener.waitForFunction(
          "n => window.pentecostListener.decodedFrames === n", packets.size());
      assertThat(oldListener.evaluate(WASM_LOADED)).isEqualTo(true);
      assertThat(ConsoleSteps.number(oldListener, LISTENER, "decodeErrors")).isZero();
      assertThat(ConsoleSteps.number(oldListener, LISTENER, "audibleFrames"))
          .as("audible of %d decoded", packets.size())
          .isGreaterThan(packets.size() - 5);
      ConsoleSteps.assertNoLoss(oldListener);

      // Neither WebCodecs nor WebAssembly: the listener is told, instead of hearing silence.
      ancient.addInitScript(NO_WEBCODECS + " delete window.WebAssembly;");
      Page ancientListener = browser.chromium().page(ancient);
      ancientListener.navigate("/listen/" + code);
      ancientListener.click("#play");
      ConsoleSteps.awaitState(ancientListener, LISTENER, "unsupported");
      assertThat(ancientListener.textContent("#status"))
          .contains("cannot decode the session's audio (Opus");

      // Another publisher takes over in PCM: that page plays again, without loading the decoder.
      Connection pcm =
          join(
              PentecostClient.speaker(vertx, base, code, token)
                  .param("codec", "pcm16")
                  .param("sampleRate", "16000")
                  .connect());
      publish(pcm, 50 * 30, i -> ConsoleSteps.pcmTone(i, 440));
      ConsoleSteps.awaitState(ancientListener, LISTENER, "live");
      ancientListener.waitForFunction(
          "() => window.pentecostListener.decodedFrames > 50"
              + " && window.pentecostListener.playedSeconds > 0.5");
      assertThat(ConsoleSteps.number(ancientListener, LISTENER, "audibleFrames")).isGreaterThan(40);
      assertThat(ancientListener.evaluate(WASM_LOADED)).isEqualTo(false);
      ConsoleSteps.assertNoLoss(ancientListener);
    } finally {
      old.close();
      ancient.close();
    }
  }

  /** Waits until the listener page plays (or would play) {@code codec}. */
  private static void awaitFormat(Page page, String codec) {
    page.waitForFunction(
        "c => window.pentecostListener.format && window.pentecostListener.format.codec === c",
        codec);
  }

  private void play(String code) {
    listener.navigate("/listen/" + code);
    listener.click("#play");
    ConsoleSteps.awaitState(listener, LISTENER, "live");
  }

  /** Waits until the listener page has received {@code frames} and played {@code seconds}. */
  private void awaitPlaying(int frames, double seconds) {
    listener.waitForFunction(
        "([n, s]) => window.pentecostListener.framesReceived > n"
            + " && window.pentecostListener.playedSeconds > s",
        List.of(frames, seconds),
        new Page.WaitForFunctionOptions().setTimeout(15_000));
  }

  /**
   * Nothing lost, nothing failed to decode, and playback advances by {@code seconds} in as many.
   */
  private void assertHearing(double seconds) {
    ConsoleSteps.assertNoLoss(listener);
    assertThat(number("decodeErrors")).as("decoding errors").isZero();
    double played = number("playedSeconds");
    listener.waitForTimeout(seconds * 1000 + 250);
    assertThat(number("playedSeconds")).isGreaterThan(played + seconds * 0.5);
    ConsoleSteps.assertNoLoss(listener);
  }

  /** The listener page's decoded and audible frame counts, read at the same moment. */
  private int[] decodedAndAudible() {
    List<?> counts =
        (List<?>)
            listener.evaluate(
                "[window.pentecostListener.decodedFrames, window.pentecostListener.audibleFrames]");
    return new int[] {((Number) counts.get(0)).intValue(), ((Number) counts.get(1)).intValue()};
  }

  private double number(String field) {
    return ConsoleSteps.number(listener, LISTENER, field);
  }

  /** Sends {@code count} payloads from a thread of its own, one every 20 ms, as a live source. */
  private void publish(Connection publisher, int count, IntFunction<byte[]> payload) {
    Thread t =
        new Thread(
            () -> {
              long start = System.nanoTime();
              for (int i = 0; i < count && !Thread.currentThread().isInterrupted(); i++) {
                LockSupport.parkNanos(start + i * 20_000_000L - System.nanoTime());
                publisher.sendAudio(Buffer.buffer(payload.apply(i)));
              }
            },
            "publisher");
    t.setDaemon(true);
    publishers.add(t);
    t.start();
  }

  private static <T> T join(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
