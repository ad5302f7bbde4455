package org.pentecost.server.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.options.BoundingBox;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pentecost.server.testing.Clients;
import org.pentecost.server.testing.PacedSpeaker;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * The listener page in the listener's language, in a real headless Chromium whose language is set
 * as a phone's would be: French and Arabic (right to left, mirrored), the switcher in the header,
 * and the audio-language picker marking what is live as workers start and stop. Speakers and
 * workers are Java WebSocket clients streaming PCM in real time.
 */
class ConsoleLanguagesIT {
  @RegisterExtension static final ConsoleBrowser browser = new ConsoleBrowser();

  private static final Duration FRAME = Duration.ofMillis(20);
  private static final int PCM_FRAME_BYTES = 640; // 20 ms at 16 kHz mono

  TestServer server;
  Clients clients;

  @BeforeEach
  void node() {
    server = browser.server();
    clients = Clients.of(server, server.token("pastor"));
  }

  private BrowserContext context(String locale) {
    return browser.chromium().context(server.baseUrl(), locale);
  }

  /** The page at /listen/{code}, once its text is in {@code lang}. */
  private Page open(BrowserContext context, String code, String lang) {
    Page page = browser.chromium().page(context);
    page.navigate("/listen/" + code);
    awaitLanguage(page, lang);
    return page;
  }

  private static void awaitLanguage(Page page, String lang) {
    page.waitForFunction(
        "lang => document.documentElement.lang === lang"
            + " && !document.getElementById('session').hidden"
            + " && document.getElementById('status').textContent !== ''",
        lang);
  }

  /** An element's text without the Unicode isolates the picker puts around names. */
  private static String text(Page page, String selector) {
    return page.textContent(selector).replace("\u2068", "").replace("\u2069", "").strip();
  }

  private static String option(Page page, String select, String value) {
    return text(page, select + " option[value=" + value + "]");
  }

  @SuppressWarnings("unchecked")
  private static List<String> groups(Page page) {
    return (List<String>)
        page.evaluate(
            "() => [...document.querySelectorAll('#language optgroup')].map(g => g.label)");
  }

  private static void awaitStatus(Page page, String text) {
    try {
      page.waitForFunction(
          "t => document.getElementById('status').textContent.replace(/[\\u2068\\u2069]/g, '') === t",
          text,
          new Page.WaitForFunctionOptions().setTimeout(10_000));
    } catch (RuntimeException e) {
      throw new AssertionError(
          "status: expected «" + text + "» but was «" + text(page, "#status") + "»", e);
    }
  }

  private static void awaitLive(Page page, String language, boolean live) {
    page.waitForFunction(
        "([l, v]) => { const o = document.querySelector(`#language option[value=${l}]`);"
            + " return o && o.dataset.live === v; }",
        List.of(language, String.valueOf(live)));
  }

  private static void screenshot(Page page, String name) {
    page.screenshot(
        new Page.ScreenshotOptions().setPath(Paths.get("target").resolve(name)).setFullPage(true));
  }

  @Test
  void aFrenchListenerIsToldInFrenchThatFrenchIsNotLiveAndHearsTheOriginalUntilAWorkerStarts()
      throws Exception {
    String code = server.createSession(server.token("pastor"), "en");
    try (BrowserContext context = context("fr-FR");
        WsClient speaker = clients.speaker(code);
        PacedSpeaker english = PacedSpeaker.start(speaker, PCM_FRAME_BYTES, FRAME)) {
      Page listener = open(context, code, "fr");
      assertThat(listener.getAttribute("html", "dir")).isEqualTo("ltr");
      assertThat(text(listener, "#play")).isEqualTo("▶ Écouter");
      assertThat(text(listener, "#session-meta")).isEqualTo("En anglais · en direct");
      assertThat(text(listener, "#status")).isEqualTo("Appuyez sur Écouter pour commencer.");
      assertThat(listener.inputValue("#language")).as("the browser's language").isEqualTo("fr");
      // Names in their own language, then in the page's; before Play nothing is marked live.
      assertThat(option(listener, "#language", "fr")).isEqualTo("Français");
      assertThat(option(listener, "#language", "en")).isEqualTo("English (anglais) — original");
      assertThat(option(listener, "#language", "zh")).isEqualTo("中文 (chinois)");
      assertThat(listener.locator("#language option[data-live]").count()).isZero();

      listener.click("#play");
      awaitStatus(
          listener,
          "En direct — pas encore de traduction en français ; vous entendez l'original (anglais).");
      assertThat(listener.getAttribute("#status", "data-tone")).as("a warning").isEqualTo("warn");
      assertThat(ConsoleSteps.number(listener, "pentecostListener", "framesReceived")).isPositive();
      awaitLive(listener, "en", true);
      awaitLive(listener, "fr", false);
      assertThat(groups(listener))
          .containsExactly(
              "En direct maintenant", "Pas encore disponible — vous entendrez l'original");
      assertThat(
              listener.evaluate(
                  "() => [...document.querySelector('#language optgroup').children].map(o => o.value)"))
          .isEqualTo(List.of("en"));
      screenshot(listener, "console-listen-fr-fallback.png");

      // A worker starts publishing French: marked live, and the listener hears it, told so.
      try (WsClient worker = Clients.joined(clients.connectWorker(code, "fr"));
          PacedSpeaker french = PacedSpeaker.start(worker, PCM_FRAME_BYTES, FRAME)) {
        awaitLive(listener, "fr", true);
        assertThat(
                listener.evaluate(
                    "() => [...document.querySelector('#language optgroup').children].map(o => o.value)"))
            .isEqualTo(List.of("en", "fr"));
        awaitStatus(listener, "En direct — vous écoutez : français.");
        assertThat(listener.getAttribute("#status", "data-tone")).isEqualTo("ok");
      }
      // It stops: French is not live any more, and the listener is back on the original.
      awaitLive(listener, "fr", false);
      awaitStatus(
          listener,
          "En direct — pas encore de traduction en français ; vous entendez l'original (anglais).");
      ConsoleSteps.assertNoLoss(listener);
    }
  }

  @Test
  void arabicIsRightToLeftAndTheLayoutMirrors() {
    String code = server.createSession(server.token("pastor"), "en");
    try (BrowserContext context = context("ar-EG")) {
      Page listener = open(context, code, "ar");
      assertThat(listener.getAttribute("html", "dir")).isEqualTo("rtl");
      assertThat(text(listener, "#play")).isEqualTo("▶ تشغيل");
      assertThat(text(listener, "label[for=language]")).isEqualTo("اللغة");
      assertThat(text(listener, "#status")).isEqualTo("اضغط على تشغيل للاستماع.");
      assertThat(option(listener, "#language", "ar")).isEqualTo("العربية");
      assertThat(option(listener, "#page-language", "ar")).isEqualTo("العربية");

      // The header mirrors: the brand at the right, the page-language switcher at the left.
      BoundingBox brand = listener.locator(".brand").boundingBox();
      BoundingBox switcher = listener.locator("#page-language").boundingBox();
      assertThat(brand.x).isGreaterThan(switcher.x + switcher.width);
      // Text starts at the right: the label's text ends where the select's box does.
      @SuppressWarnings("unchecked")
      List<Number> label =
          (List<Number>)
              listener.evaluate(
                  "() => { const r = document.createRange();"
                      + " r.selectNodeContents(document.querySelector('label[for=language]'));"
                      + " const b = r.getBoundingClientRect(); return [b.left, b.right]; }");
      BoundingBox select = listener.locator("#language").boundingBox();
      assertThat(label.get(1).doubleValue()).isCloseTo(select.x + select.width, within(2.0));
      assertThat(label.get(0).doubleValue()).isGreaterThan(select.x + select.width / 2);
      screenshot(listener, "console-listen-ar.png");
    }
  }

  @Test
  void theSwitcherChangesThePageLanguageLiveAndTheDeviceRemembersIt() throws Exception {
    String code = server.createSession(server.token("pastor"), "en");
    try (WsClient speaker = clients.speaker(code);
        PacedSpeaker english = PacedSpeaker.start(speaker, PCM_FRAME_BYTES, FRAME)) {
      Page listener = browser.listener(); // an English browser
      listener.navigate("/listen/" + code);
      awaitLanguage(listener, "en");
      assertThat(option(listener, "#page-language", "de")).isEqualTo("Deutsch");
      assertThat(option(listener, "#page-language", "ja")).isEqualTo("日本語");
      assertThat(option(listener, "#page-language", "zh")).isEqualTo("中文");
      assertThat(listener.getAttribute("#page-language option[value=ar]", "lang")).isEqualTo("ar");
      listener.click("#play");
      awaitStatus(listener, "Live — you are hearing English.");

      listener.selectOption("#page-language", "de");
      awaitLanguage(listener, "de");
      awaitStatus(listener, "Live — Sie hören Englisch.");
      assertThat(text(listener, "#play")).isEqualTo("■ Stopp");
      assertThat(text(listener, "#session-meta")).isEqualTo("Auf Englisch · jetzt live");
      assertThat(text(listener, "label[for=language]")).isEqualTo("Sprache");
      assertThat(option(listener, "#language", "fr")).isEqualTo("Français (Französisch)");
      assertThat(listener.title()).isEqualTo(code + " — Pentecost");

      // Remembered on this device: a reload comes back in German (and, mid-stream, playing).
      listener.reload();
      awaitLanguage(listener, "de");
      assertThat(listener.inputValue("#page-language")).isEqualTo("de");
      awaitStatus(listener, "Live — Sie hören Englisch.");

      // To Arabic without a reload: right to left at once, the status rewritten.
      listener.selectOption("#page-language", "ar");
      awaitLanguage(listener, "ar");
      assertThat(listener.getAttribute("html", "dir")).isEqualTo("rtl");
      assertThat(text(listener, "#status")).startsWith("مباشر — أنت تستمع إلى ");

      // Stopped: the status asks for Play in the page's language.
      listener.click("#play");
      awaitStatus(listener, "متوقف. اضغط على تشغيل للاستماع مرة أخرى.");
    }
  }
}
