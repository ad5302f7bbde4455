package org.pentecost.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.pentecost.server.testing.SharedNode;
import org.pentecost.server.testing.TestServer.Response;
import org.pentecost.server.testing.WsClient;

/**
 * Transcripts on a real node: the final captions of the speaker and of a worker, read back as txt,
 * vtt and srt by the speaker, refused to others until the speaker makes them public.
 */
class TranscriptIT extends SharedNode {
  TranscriptIT() {
    super(SharedNode.loopback());
  }

  private Response transcript(String id, String query, String token) {
    return server.send("GET", "/sessions/" + id + "/transcript?" + query, token, null);
  }

  private static String caption(String text, boolean last) {
    return "{\"action\":\"publishCaption\",\"text\":\"" + text + "\",\"final\":" + last + "}";
  }

  @Test
  void finalCaptionsAreKeptPerLanguageAndReadInThreeFormats() {
    String id = server.createSession(alice, "en");
    try (WsClient speaker = clients.speaker(id);
        WsClient worker = clients.connectWorker(id, "es")) {
      worker.awaitType("sessionJoined");
      speaker.send(caption("Good morning", false));
      speaker.send(caption("Good morning, everyone.", true));
      speaker.send(caption("Fish & <chips> --> here\\n\\nsecond line", true));
      worker.send(caption("Buenos días a todos.", true));
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> transcript(id, "language=en", alice).body().lines().count() == 3);
    }

    Response txt = transcript(id, "language=EN", alice);
    assertThat(txt.status()).isEqualTo(200);
    assertThat(txt.header("Content-Type")).isEqualTo("text/plain; charset=utf-8");
    assertThat(txt.header("Content-Disposition"))
        .isEqualTo("attachment; filename=\"" + id + "-en.txt\"");
    assertThat(txt.body())
        .matches(
            "(?s)\\[00:00:\\d\\d] Good morning, everyone\\.\n\\[00:00:\\d\\d] Fish & <chips> -->"
                + " here\nsecond line\n");

    Response vtt = transcript(id, "language=en&format=vtt", alice);
    assertThat(vtt.header("Content-Type")).isEqualTo("text/vtt; charset=utf-8");
    assertThat(vtt.header("Content-Disposition")).contains(id + "-en.vtt");
    assertThat(vtt.body()).startsWith("WEBVTT\n\n");
    assertThat(vtt.body())
        .containsPattern("\n00:00:\\d\\d\\.\\d{3} --> 00:00:\\d\\d\\.\\d{3}\nGood morning")
        .contains("Fish &amp; &lt;chips&gt; --&gt; here\nsecond line\n")
        .doesNotContain("<chips>");

    Response srt = transcript(id, "language=en&format=srt", alice);
    assertThat(srt.header("Content-Type")).isEqualTo("application/x-subrip; charset=utf-8");
    assertThat(srt.body())
        .matches(
            "(?s)1\n00:00:\\d\\d,\\d{3} --> 00:00:\\d\\d,\\d{3}\nGood morning, everyone\\.\n\n"
                + "2\n.*second line\n\n");

    assertThat(transcript(id, "language=es&format=srt", alice).body())
        .contains("Buenos días a todos.");
    assertThat(transcript(id, "language=fr", alice).body()).isEmpty();
    assertThat(transcript(id, "language=fr&format=vtt", alice).body()).isEqualTo("WEBVTT\n\n");
    Response languages = server.send("GET", "/sessions/" + id + "/transcripts", alice, null);
    assertThat(languages.json().get("languages").toString()).isEqualTo("[\"en\",\"es\"]");

    // the session's end keeps them, and the speaker may share them afterwards
    assertThat(server.send("DELETE", "/sessions/" + id, alice, null).status()).isEqualTo(204);
    assertThat(transcript(id, "language=es", alice).body()).contains("Buenos días");
    assertThat(transcript(id, "language=es", null).status()).isEqualTo(401);
    String share = "{\"transcriptPublic\":true}";
    assertThat(server.send("PATCH", "/sessions/" + id, alice, share).status()).isEqualTo(200);
    assertThat(transcript(id, "language=es", null).body()).contains("Buenos días");
    assertThat(server.send("PATCH", "/sessions/" + id, alice, "{\"status\":\"active\"}").code())
        .isEqualTo("INVALID_TRANSITION");
  }

  @Test
  void privateUntilTheSpeakerAllowsEveryone() {
    String id = server.createSession(alice, "en");
    assertThat(transcript(id, "language=en", null).code()).isEqualTo("MISSING_TOKEN");
    assertThat(transcript(id, "language=en", null).status()).isEqualTo(401);
    assertThat(transcript(id, "language=en", bob).code()).isEqualTo("NOT_SESSION_OWNER");
    assertThat(transcript(id, "language=en", "not.a.jwt").status()).isEqualTo(401);

    Response opened = server.send("PATCH", "/sessions/" + id, alice, "{\"transcriptPublic\":true}");
    assertThat(opened.status()).isEqualTo(200);
    assertThat(opened.json().get("transcriptPublic").asBoolean()).isTrue();
    assertThat(server.get("/sessions/" + id).json().get("transcriptPublic").asBoolean()).isTrue();
    assertThat(transcript(id, "language=en", null).status()).isEqualTo(200);
    assertThat(transcript(id, "language=en", bob).status()).isEqualTo(200);
    assertThat(transcript(id, "language=en", "not.a.jwt").status()).isEqualTo(401);

    Response created =
        server.send(
            "POST", "/sessions", alice, "{\"sourceLanguage\":\"fr\",\"transcriptPublic\":true}");
    String open = created.json().get("sessionId").asText();
    assertThat(created.json().get("transcriptPublic").asBoolean()).isTrue();
    assertThat(transcript(open, "language=fr", null).status()).isEqualTo(200);
    assertThat(
            server
                .send(
                    "POST",
                    "/sessions",
                    alice,
                    "{\"sourceLanguage\":\"fr\",\"transcriptPublic\":1}")
                .code())
        .isEqualTo("INVALID_REQUEST");
  }

  @Test
  void badQueriesAndUnknownSessionsHaveTheirCodes() {
    String id = server.createSession(alice, "en");
    assertThat(transcript(id, "language=xx", alice).code()).isEqualTo("UNSUPPORTED_LANGUAGE");
    assertThat(transcript(id, "", alice).code()).isEqualTo("UNSUPPORTED_LANGUAGE");
    assertThat(transcript(id, "language=en&format=pdf", alice).code()).isEqualTo("INVALID_REQUEST");
    Response unknown = transcript("no-such-code-1", "language=en", alice);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.code()).isEqualTo("SESSION_NOT_FOUND");
  }
}
