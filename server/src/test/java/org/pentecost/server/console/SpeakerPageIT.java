package org.pentecost.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.util.LanAddress;

/**
 * The speaker console beyond streaming, in a real headless Chromium: the join link a phone can
 * reach although the console was opened as 127.0.0.1.
 */
class SpeakerPageIT {
  @RegisterExtension static final ConsoleBrowser browser = new ConsoleBrowser();

  TestServer server;
  Page speaker;

  @BeforeEach
  void pages() {
    server = browser.server();
    speaker = browser.speaker();
  }

  @Test
  void aSpeakerOnLocalhostSharesTheServersLanAddress() {
    String code = ConsoleSteps.signInAndCreate(speaker, server.token("pastor"), "en");
    assertThat(speaker.url()).startsWith("http://127.0.0.1:");
    speaker.waitForFunction("() => document.getElementById('join-link').href.includes('/listen/')");
    String link = speaker.getAttribute("#join-link", "href");
    String lan = LanAddress.of("0.0.0.0");
    if (lan != null) {
      assertThat(link).isEqualTo("http://" + lan + ":" + server.port() + "/listen/" + code);
      assertThat(speaker.isVisible("#share-note")).isFalse();
    } else {
      // a machine with no network address: the page says so next to the code
      assertThat(speaker.isVisible("#share-note")).isTrue();
      assertThat(speaker.textContent("#share-note")).contains("Phones cannot reach");
    }
    assertThat(link).doesNotContain("127.0.0.1", "localhost");
    assertThat(speaker.getAttribute("#qr", "aria-label")).contains(link);
  }
}
