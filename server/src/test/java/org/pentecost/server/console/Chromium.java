package org.pentecost.server.console;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.abort;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Debian's headless Chromium driven by Playwright, offline: Playwright must never download a
 * browser of its own. Without {@code /usr/bin/chromium} the tests are skipped with a message, but
 * fail in CI (where {@code .ci/run} installs it).
 */
final class Chromium implements AutoCloseable {
  static final Path EXECUTABLE = Paths.get("/usr/bin/chromium");

  /** A phone screen. */
  static final int WIDTH = 390;

  static final int HEIGHT = 844;

  private final Playwright playwright;
  private final Browser browser;
  private final List<String> consoleErrors = new ArrayList<>();

  private Chromium(Playwright playwright, Browser browser) {
    this.playwright = playwright;
    this.browser = browser;
  }

  static Chromium launch() {
    if (!Files.isExecutable(EXECUTABLE)) {
      String why =
          "browser tests need Debian's chromium at "
              + EXECUTABLE
              + " (apt-get install -y chromium; .ci/run does it)";
      if (System.getenv("CI") != null) {
        fail(why);
      }
      abort(why + ": skipped");
    }
    Playwright playwright =
        Playwright.create(
            new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
    try {
      Browser browser =
          playwright
              .chromium()
              .launch(
                  new BrowserType.LaunchOptions()
                      .setExecutablePath(EXECUTABLE)
                      .setArgs(
                          List.of(
                              "--headless",
                              "--no-sandbox",
                              "--disable-gpu",
                              "--disable-background-networking",
                              "--use-fake-ui-for-media-stream",
                              "--use-fake-device-for-media-stream",
                              "--autoplay-policy=no-user-gesture-required")));
      return new Chromium(playwright, browser);
    } catch (RuntimeException e) {
      playwright.close();
      throw e;
    }
  }

  /** A fresh browser profile (its own sessionStorage) at phone size, microphone allowed. */
  BrowserContext context(String baseUrl) {
    return context(baseUrl, "en-US");
  }

  /** The same, with the browser's language set to {@code locale} (e.g. "fr-FR", "ar"). */
  BrowserContext context(String baseUrl, String locale) {
    BrowserContext context =
        browser.newContext(
            new Browser.NewContextOptions()
                .setBaseURL(baseUrl)
                .setViewportSize(WIDTH, HEIGHT)
                .setDeviceScaleFactor(1)
                .setLocale(locale));
    context.grantPermissions(List.of("microphone"), new BrowserContext.GrantPermissionsOptions());
    return context;
  }

  /**
   * A speaker's and a listener's browser profile, one page each, as most tests need. Closing them
   * fails the test if any page had a script error.
   */
  record Pages(
      BrowserContext speakerContext, BrowserContext listenerContext, Page speaker, Page listener)
      implements AutoCloseable {
    @Override
    public void close() {
      speakerContext.close();
      listenerContext.close();
    }
  }

  Pages pages(String baseUrl) {
    BrowserContext speakerContext = context(baseUrl);
    BrowserContext listenerContext = context(baseUrl);
    return new Pages(speakerContext, listenerContext, page(speakerContext), page(listenerContext));
  }

  /** A page whose script errors and console errors are collected for {@link #takeErrors()}. */
  Page page(BrowserContext context) {
    Page page = context.newPage();
    page.onPageError(e -> record("page error: " + e));
    page.onConsoleMessage(
        m -> {
          if ("error".equals(m.type()) && !isNetworkLog(m.text())) {
            record("console error: " + m.text() + " at " + m.location());
          }
        });
    return page;
  }

  /**
   * Chromium's own log lines about HTTP errors the pages expect (a 404 for an unknown code) and
   * about WebSocket failures the pages handle (they show the close and reconnect): not script
   * errors.
   */
  private static boolean isNetworkLog(String text) {
    return text.startsWith("Failed to load resource") || text.startsWith("WebSocket connection to");
  }

  private synchronized void record(String error) {
    consoleErrors.add(error);
  }

  /** Script errors seen in every page of this browser since the last call; clears them. */
  synchronized List<String> takeErrors() {
    List<String> errors = List.copyOf(consoleErrors);
    consoleErrors.clear();
    return errors;
  }

  @Override
  public void close() {
    try {
      browser.close();
    } finally {
      playwright.close();
    }
  }
}
