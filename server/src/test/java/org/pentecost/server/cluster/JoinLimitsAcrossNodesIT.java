package org.pentecost.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.RedisTests;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * The per-IP WebSocket limits hold across nodes on Redis: a client cannot multiply its budget by
 * spreading its attempts over the nodes behind a load balancer.
 */
class JoinLimitsAcrossNodesIT {
  @TempDir Path dirA;
  @TempDir Path dirB;

  @Test
  void guessingCodesIsLimitedPerIpAcrossNodes() {
    RedisTests.requireRedis();
    String prefix = RedisTests.randomPrefix();
    Map<String, String> settings = new HashMap<>(RedisTests.nodeSettings(RedisTests.URL, prefix));
    settings.put("auth.hmacSecret", "join-limits-it-shared-secret-0123456789ab");
    settings.put("limits.trustedNetworks", "192.0.2.0/24"); // loopback is an ordinary client here
    settings.put("limits.unknownSessionJoinsPerMinute", "2");
    try (TestServer a = TestServer.start(dirA, settings);
        TestServer b = TestServer.start(dirB, settings)) {
      assertThat(refusal(a)).isEqualTo("SESSION_NOT_FOUND");
      assertThat(refusal(b)).isEqualTo("SESSION_NOT_FOUND");
      // The third guess from this IP, on either node, is over the shared limit.
      assertThat(refusal(a)).isEqualTo("RATE_LIMITED");
      assertThat(refusal(b)).isEqualTo("RATE_LIMITED");
    } finally {
      RedisTests.deleteKeys(RedisTests.URL, prefix);
    }
  }

  private static String refusal(TestServer node) {
    try (WsClient c = WsClient.connect(node, "sessionId=no-such-code-101")) {
      JsonNode error = c.awaitType("error");
      c.awaitClose();
      return error.get("code").asText();
    }
  }
}
