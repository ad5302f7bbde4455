package org.pentecost.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Download;
import com.microsoft.playwright.Page;
import java.nio.file.Files;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pentecost.server.testing.Clients;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;
import org.pentecost.server.util.LanAddress;

/**
 * The speaker console beyond streaming, in a real headless Chromium: the join link a phone can
 * reach although the console was opened as 127.0.0.1; after the end, the summary and the
 * transcripts instead of the QR code and the live count.
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

  @Test
  void afterTheEndTheSummaryAndTranscriptsReplaceTheQrCode() throws Exception {
    String token = server.token("pastor");
    String code = ConsoleSteps.signInAndCreate(speaker, token, "en");
    ConsoleSteps.awaitState(speaker, "pentecostSpeaker", "ready");
    Clients clients = Clients.of(server, token);
    try (WsClient en = clients.listener(code);
        WsClient es = clients.listener(code, "targetLanguage=es");
        WsClient worker = clients.connectWorker(code, "es")) {
      worker.awaitType("sessionJoined");
      worker.send("{\"action\":\"publishCaption\",\"text\":\"Hola a todos\",\"final\":true}");
      es.awaitType("caption");
      speaker.waitForFunction("() => document.getElementById('total').textContent === '2'");
      assertThat(speaker.isVisible("#qr")).isTrue();
      speaker.onceDialog(dialog -> dialog.accept());
      speaker.click("#end");
      ConsoleSteps.awaitState(speaker, "pentecostSpeaker", "ended");
    }
    speaker.waitForSelector("#after:not([hidden])");
    assertThat(speaker.isVisible("#qr")).isFalse();
    assertThat(speaker.isVisible("#join-link")).isFalse();
    assertThat(speaker.isVisible("#total")).isFalse();
    speaker.waitForFunction(
        "() => document.getElementById('summary-rows').textContent.includes('(es)')"
            + " && document.querySelectorAll('#transcripts a').length === 3");
    assertThat(speaker.textContent("#summary-total")).contains("2 listeners at the peak");
    assertThat(speaker.textContent("#summary-rows")).contains("(en)", "(es)");
    assertThat(speaker.getAttribute("#transcripts a:nth-of-type(2)", "href"))
        .isEqualTo("/sessions/" + code + "/transcript?language=es&format=vtt");

    Download download =
        speaker.waitForDownload(() -> speaker.click("#transcripts a:nth-of-type(3)"));
    assertThat(download.suggestedFilename()).isEqualTo(code + "-es.srt");
    assertThat(Files.readString(download.path())).startsWith("1\n00:00:").contains("Hola a todos");

    // sharing the transcripts after the end
    assertThat(server.get("/sessions/" + code + "/transcript?language=es").status()).isEqualTo(401);
    speaker.check("#transcript-public");
    org.awaitility.Awaitility.await()
        .until(() -> server.get("/sessions/" + code + "/transcript?language=es").status() == 200);

    // the list of sessions offers the summary of an ended one
    speaker.click("#back");
    speaker.click("button[aria-label='Summary " + code + "']");
    speaker.waitForSelector("#after:not([hidden])");
    assertThat(speaker.isVisible("#qr")).isFalse();
  }
}
