package org.pentecost.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConnectQueryTest {

  private static ConnectQuery listener(String language) {
    return new ConnectQuery("/ws", "listener", "blessed-shepherd-427", language, null, Map.of());
  }

  @Test
  void listenerQueryNamesSessionRoleAndLanguage() {
    assertThat(listener("es").uri())
        .isEqualTo("/ws?sessionId=blessed-shepherd-427&role=listener&targetLanguage=es");
    // No language: the server picks the session's source language.
    assertThat(listener(null).uri()).isEqualTo("/ws?sessionId=blessed-shepherd-427&role=listener");
  }

  @Test
  void speakerQueryCarriesTheTokenAndExtraParametersEncoded() {
    Map<String, String> extra = new LinkedHashMap<>();
    extra.put("codec", "opus");
    extra.put("frameMs", "20");
    ConnectQuery q = new ConnectQuery("/ws", "speaker", "a b+c", null, "x.y/z=", extra);
    assertThat(q.uri())
        .isEqualTo("/ws?sessionId=a+b%2Bc&role=speaker&token=x.y%2Fz%3D&codec=opus&frameMs=20");
  }

  @Test
  void refreshOfAListenerNamesThePreviousConnectionAndResumesAfterTheLastFrame() {
    assertThat(listener("es").uri("p1V0o3Qk2mUEXd1Cq0d8uQ", 4711))
        .isEqualTo(
            "/ws?sessionId=blessed-shepherd-427&role=listener&targetLanguage=es"
                + "&action=refreshConnection&previousConnectionId=p1V0o3Qk2mUEXd1Cq0d8uQ"
                + "&lastSeq=4711");
    // Before any audio there is nothing to resume after.
    assertThat(listener("es").uri("A", 0)).endsWith("&previousConnectionId=A");
  }

  @Test
  void speakersAndWorkersDoNotSendLastSeq() {
    ConnectQuery speaker =
        new ConnectQuery("/ws", "speaker", "s", null, "t", Map.of("codec", "pcm16"));
    assertThat(speaker.uri("A", 99))
        .isEqualTo(
            "/ws?sessionId=s&role=speaker&token=t&codec=pcm16"
                + "&action=refreshConnection&previousConnectionId=A");
    ConnectQuery worker = new ConnectQuery("/ws", "worker", "s", "fr", "t", Map.of());
    assertThat(worker.uri("A", 99)).doesNotContain("lastSeq");
  }

  @Test
  void aSwitchedLanguageIsKeptForLaterConnections() {
    ConnectQuery q = listener("es").withTargetLanguage("fr");
    assertThat(q.uri("A", 3)).contains("targetLanguage=fr").doesNotContain("targetLanguage=es");
  }

  @Test
  void theEndpointSitsUnderTheBasePath() {
    assertThat(ConnectQuery.endpointPath("")).isEqualTo("/ws");
    assertThat(ConnectQuery.endpointPath(null)).isEqualTo("/ws");
    assertThat(ConnectQuery.endpointPath("/")).isEqualTo("/ws");
    assertThat(ConnectQuery.endpointPath("/pentecost/")).isEqualTo("/pentecost/ws");
  }
}
