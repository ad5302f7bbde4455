package org.pentecost.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.RedisServerProcess;
import org.pentecost.server.testing.TestServer;

/**
 * {@code server.adminPort}: {@code /metrics} and the probes move there and leave the public port;
 * {@code /health} answers on both. Without it they stay public (as {@link ProbesIT} shows).
 */
class AdminPortIT {
  @TempDir Path dir;

  @Test
  void metricsAndProbesMoveToTheAdminPort() {
    int admin = RedisServerProcess.freePort();
    try (TestServer node =
        TestServer.start(dir, Map.of("server.adminPort", Integer.toString(admin)))) {
      assertThat(node.server().adminPort()).isEqualTo(admin);

      assertThat(node.get("/metrics").status()).isEqualTo(404);
      assertThat(node.get("/health/live").status()).isEqualTo(404);
      assertThat(node.get("/health/ready").status()).isEqualTo(404);
      assertThat(node.get("/health").status()).isEqualTo(200);

      TestServer.Response metrics = node.adminGet("/metrics");
      assertThat(metrics.status()).isEqualTo(200);
      assertThat(metrics.body()).contains("pentecost_http_server_requests_seconds_count");
      assertThat(metrics.header("Content-Type")).startsWith("text/plain");
      assertThat(node.adminGet("/health/live").status()).isEqualTo(200);
      assertThat(node.adminGet("/health/ready").json().get("status").asText()).isEqualTo("ready");
      assertThat(node.adminGet("/health").json().get("status").asText()).isEqualTo("healthy");
      assertThat(node.adminGet("/sessions").status())
          .as("the admin port serves nothing of the public API")
          .isEqualTo(404);
    }
  }
}
