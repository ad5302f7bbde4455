package org.pentecost.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.TestServer.Response;
import org.pentecost.server.util.LanAddress;

/** {@code GET /share}: the configured public URL, and the LAN address, never a loopback one. */
class ShareIT {
  @TempDir Path dir;

  @Test
  void thePublicUrlIsGivenAsConfiguredWithoutItsTrailingSlash() {
    try (TestServer node =
        TestServer.start(
            dir, Map.of("server.publicUrl", "https://pentecost.example.org/church/"))) {
      Response r = node.get("/share");
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("Cache-Control")).isEqualTo("no-store");
      assertThat(r.json().get("publicUrl").asText())
          .isEqualTo("https://pentecost.example.org/church");
    }
  }

  @Test
  void theLanAddressHasTheConnectionsSchemeAndPortAndIsNeverLoopback() {
    try (TestServer node = TestServer.start(dir, Map.of("server.host", "0.0.0.0"))) {
      Response r = node.get("/share");
      assertThat(r.json().get("publicUrl").isNull()).isTrue();
      String lan = LanAddress.of("0.0.0.0");
      if (lan == null) {
        assertThat(r.json().get("lanUrl").isNull()).isTrue();
      } else {
        assertThat(r.json().get("lanUrl").asText())
            .isEqualTo("http://" + lan + ":" + node.port())
            .doesNotContain("127.0.0.1", "localhost");
      }
    }
  }

  @Test
  void aNodeOnLoopbackOnlyHasNoLanAddress() {
    try (TestServer node = TestServer.start(dir, Map.of("server.host", "127.0.0.1"))) {
      Response r = node.get("/share");
      assertThat(r.json().get("lanUrl").isNull()).isTrue();
      assertThat(r.json().get("publicUrl").isNull()).isTrue();
    }
  }
}
