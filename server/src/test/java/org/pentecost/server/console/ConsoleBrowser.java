package org.pentecost.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.pentecost.server.testing.TestServer;

/**
 * What every browser test class needs, as a JUnit extension: Debian's headless Chromium and a node
 * for the class (listener joins from 127.0.0.0/8 are not rate limited), and for each test a fresh
 * speaker profile and listener profile with one page each. After each test, no page of the browser
 * may have had a script error.
 *
 * <pre>{@code @RegisterExtension static final ConsoleBrowser browser = new ConsoleBrowser();}</pre>
 */
final class ConsoleBrowser
    implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {
  private final Map<String, String> settings = new HashMap<>();
  private Path dir;
  private TestServer server;
  private Chromium chromium;
  private Chromium.Pages pages;

  ConsoleBrowser() {
    this(Map.of());
  }

  /** With more server settings, e.g. shorter timers. */
  ConsoleBrowser(Map<String, String> settings) {
    this.settings.put("limits.trustedNetworks", "127.0.0.0/8");
    this.settings.putAll(settings);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    chromium = Chromium.launch(); // first: without a browser the class is skipped at once
    dir = Files.createTempDirectory("pentecost-console");
    server = TestServer.start(dir, Map.copyOf(settings));
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    try {
      if (server != null) {
        server.close();
      }
    } finally {
      if (chromium != null) {
        chromium.close();
      }
      if (dir != null) {
        delete(dir);
      }
    }
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    pages = chromium.pages(server.baseUrl());
  }

  @Override
  public void afterEach(ExtensionContext context) {
    if (pages != null) {
      pages.close();
      pages = null;
    }
    assertThat(chromium.takeErrors()).as("script errors").isEmpty();
  }

  TestServer server() {
    return server;
  }

  Chromium chromium() {
    return chromium;
  }

  Page speaker() {
    return pages.speaker();
  }

  Page listener() {
    return pages.listener();
  }

  private static void delete(Path root) throws IOException {
    try (Stream<Path> files = Files.walk(root)) {
      files
          .sorted(Comparator.reverseOrder())
          .forEach(
              p -> {
                try {
                  Files.delete(p);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    }
  }
}
