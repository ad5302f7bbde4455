package org.pentecost.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.ServerProcess;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.TestServer.Response;
import org.pentecost.server.testing.TmpfsMount;
import org.slf4j.LoggerFactory;

/**
 * The embedded store on a real full disk (a 1 MB tmpfs): writes answer 503 and {@code /health} is
 * unhealthy with one log line, and the node writes again by itself once space is freed.
 */
class EmbeddedStoreDiskFullIT {
  private static final String CREATE = "{\"sourceLanguage\":\"en\"}";

  @TempDir Path dir;
  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private Logger root;

  @BeforeEach
  void capture() {
    root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    captured.start();
    root.addAppender(captured);
  }

  @AfterEach
  void release() {
    root.detachAppender(captured);
  }

  @Test
  void aFullDiskRefusesWritesWithOneLogLineAndTheStoreRecoversWhenSpaceReturns() throws Exception {
    try (TmpfsMount disk = TmpfsMount.mount(dir.resolve("disk"), "1m")) {
      Path data = disk.dir().resolve("data");
      Path file = data.resolve("sessions.mv.db").toAbsolutePath();
      TestServer server = TestServer.start(data, Map.of("limits.sessionCreatesPerHour", "100000"));
      try {
        String token = server.token("alice");
        List<String> acknowledged = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          acknowledged.add(server.createSession(token, "en"));
        }
        int linesBefore = captured.list.size();
        Path filler = disk.fill("filler");

        // the store may still write into room its file already holds: write until it cannot
        Response refused = null;
        for (int i = 0; i < 1_000 && refused == null; i++) {
          Response r = server.send("POST", "/sessions", token, CREATE);
          if (r.status() == 201) {
            acknowledged.add(r.json().get("sessionId").asText());
          } else {
            refused = r;
          }
        }
        assertThat(refused).as("a create refused on the full disk").isNotNull();
        assertThat(refused.status()).as(refused.body()).isEqualTo(503);
        assertThat(refused.code()).isEqualTo("SERVICE_UNAVAILABLE");
        assertThat(refused.header("Retry-After")).isNotNull();
        for (int i = 0; i < 20; i++) {
          assertThat(server.send("POST", "/sessions", token, CREATE).status()).isEqualTo(503);
          Response health = server.get("/health");
          assertThat(health.status()).isEqualTo(503);
          assertThat(health.json().get("store").asText()).isEqualTo("unavailable");
        }
        Response patch =
            server.send(
                "PATCH", "/sessions/" + acknowledged.get(0), token, "{\"status\":\"paused\"}");
        assertThat(patch.status()).as(patch.body()).isEqualTo(503);
        // what was committed can still be read: listeners keep joining
        assertThat(server.get("/sessions/" + acknowledged.get(0)).status()).isEqualTo(200);

        List<ILoggingEvent> problems = warningsSince(linesBefore);
        assertThat(problems).as("one line for the whole outage, not one per request").hasSize(1);
        assertThat(problems.get(0).getFormattedMessage())
            .contains("No space left on device")
            .contains(file.toString());

        Files.delete(filler);
        await().atMost(Duration.ofSeconds(15)).until(() -> server.get("/health").status() == 200);
        Response created = server.send("POST", "/sessions", token, CREATE);
        assertThat(created.status()).as(created.body()).isEqualTo(201);
        acknowledged.add(created.json().get("sessionId").asText());
        Response patched =
            server.send(
                "PATCH", "/sessions/" + acknowledged.get(0), token, "{\"status\":\"paused\"}");
        assertThat(patched.status()).as(patched.body()).isEqualTo(200);
        for (String id : acknowledged) {
          assertThat(server.get("/sessions/" + id).status()).as(id).isEqualTo(200);
        }
        assertThat(warningsSince(linesBefore)).hasSize(1);
        assertThat(captured.list.subList(linesBefore, captured.list.size()))
            .anySatisfy(
                e ->
                    assertThat(e.getFormattedMessage())
                        .contains("writes again")
                        .contains(file.toString()));
      } finally {
        server.stop();
      }
    }
  }

  @Test
  void aStartOnAFullDiskSaysNoSpaceLeftOnDeviceAndWhere() throws Exception {
    try (TmpfsMount disk = TmpfsMount.mount(dir.resolve("disk"), "1m")) {
      Path data = Files.createDirectories(disk.dir().resolve("data"));
      Path filler = disk.fill("filler");
      ServerProcess.Result r =
          ServerProcess.run("serve", "--port", "0", "--data-dir", data.toString());
      assertThat(r.exitCode()).as(r.stdout() + r.stderr()).isEqualTo(2);
      assertThat(r.stderr())
          .contains("No space left on device")
          .contains(data.toAbsolutePath().toString())
          .doesNotContain("\tat ");

      // the failed start left nothing behind that a later start would take for damage
      Files.delete(filler);
      try (ServerProcess node = ServerProcess.serve(data)) {
        assertThat(node.send("GET", "/health", null, null).status()).isEqualTo(200);
        node.stop();
      }
    }
  }

  private List<ILoggingEvent> warningsSince(int index) {
    return captured.list.subList(index, captured.list.size()).stream()
        .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
        .toList();
  }
}
