package org.pentecost.server.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.pentecost.server.auth.HmacSecret;
import org.pentecost.server.auth.TokenMinter;
import org.pentecost.server.testing.ServerProcess;
import org.pentecost.server.testing.TestServer.Response;

/**
 * A store file damaged while the node was stopped: the real command line refuses to start on it and
 * says why; {@code --recover} keeps the damaged file aside, carries over what it still holds, logs
 * what was lost, and starts.
 */
class DamagedStoreIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LOST = Pattern.compile("lost (\\d+) sessions?(?:: ([^;]*))?");
  private static final Pattern ASIDE =
      Pattern.compile("sessions\\.mv\\.db\\.damaged-\\d{8}T\\d{6}Z(-\\d+)?");
  private static final int SESSIONS = 200;

  @TempDir Path dir;

  /** The three ways an outside probe damaged the file. */
  enum Damage {
    // Cut in the middle of the newest chunk, MVStore either opens an older version (which the
    // commit log shows to lack commits) or, its freed chunks reused, cannot read the file at all.
    TRUNCATED_TO_HALF("commits are missing", "corrupt or unreadable") {
      @Override
      void apply(FileChannel ch) throws IOException {
        ch.truncate(ch.size() / 2);
      }
    },
    ZERO_LENGTH("is empty") {
      @Override
      void apply(FileChannel ch) throws IOException {
        ch.truncate(0);
      }
    },
    // The newest chunk (where the file's header says it is: MVStore reuses freed space, so it
    // is not necessarily at the end) overwritten with 32 KiB of garbage.
    NEWEST_32K_OVERWRITTEN("commits are missing", "corrupt or unreadable") {
      @Override
      void apply(FileChannel ch) throws IOException {
        byte[] garbage = new byte[32 * 1024];
        new Random(42).nextBytes(garbage);
        ch.write(ByteBuffer.wrap(garbage), newestChunk(ch));
      }
    };

    final List<String> says;

    Damage(String... says) {
      this.says = List.of(says);
    }

    abstract void apply(FileChannel ch) throws IOException;
  }

  @ParameterizedTest
  @EnumSource(Damage.class)
  void aDamagedFileIsRefusedThenRecoveredWithWhatWasLostLogged(Damage damage) throws Exception {
    Path data = dir.resolve("data");
    Path config =
        Files.writeString(dir.resolve("node.yaml"), "limits:\n  sessionCreatesPerHour: 100000\n");
    Path file = data.resolve("sessions.mv.db").toAbsolutePath();
    List<String> acknowledged = new ArrayList<>();
    try (ServerProcess node = ServerProcess.serve(data, "--config", config.toString())) {
      String token = token(data);
      for (int i = 0; i < SESSIONS; i++) {
        Response r = node.send("POST", "/sessions", token, "{\"sourceLanguage\":\"en\"}");
        assertThat(r.status()).as(r.body()).isEqualTo(201);
        acknowledged.add(r.json().get("sessionId").asText());
      }
      node.stop();
    }
    try (FileChannel ch =
        FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      damage.apply(ch);
    }
    String damagedDigest = digest(file);

    ServerProcess.Result refused =
        ServerProcess.run(
            "serve", "--port", "0", "--data-dir", data.toString(), "--config", config.toString());
    assertThat(refused.exitCode()).as(refused.stdout() + refused.stderr()).isEqualTo(2);
    assertThat(refused.stderr())
        .contains(file.toString())
        .contains("damaged")
        .containsAnyOf(damage.says.toArray(String[]::new))
        .contains("--recover")
        .doesNotContain("\tat ");
    assertThat(digest(file)).as("a refusal changes nothing").isEqualTo(damagedDigest);

    Set<String> reportedLost;
    try (ServerProcess node =
        ServerProcess.serve(data, "--config", config.toString(), "--recover")) {
      List<Path> aside = damagedFilesIn(data);
      assertThat(aside).hasSize(1);
      assertThat(aside.get(0).getFileName().toString()).startsWith("sessions.mv.db.damaged-");
      assertThat(digest(aside.get(0)))
          .as("the damaged file, kept as it was")
          .isEqualTo(damagedDigest);

      String report =
          node.output().stream()
              .map(DamagedStoreIT::message)
              .filter(m -> m.contains("recovered the session store"))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no recovery line in " + node.output()));
      assertThat(report).contains(file.toString()).contains(aside.get(0).toString());
      Matcher m = LOST.matcher(report);
      assertThat(m.find()).as(report).isTrue();
      reportedLost =
          m.group(2) == null
              ? Set.of()
              : new LinkedHashSet<>(Arrays.asList(m.group(2).trim().split(",\\s*")));
      assertThat(reportedLost).hasSize(Integer.parseInt(m.group(1)));

      Set<String> missing = new LinkedHashSet<>();
      for (String id : acknowledged) {
        int status = node.send("GET", "/sessions/" + id, null, null).status();
        assertThat(status).as(id).isIn(200, 404);
        if (status == 404) {
          missing.add(id);
        }
      }
      assertThat(missing).as("the damage lost something").isNotEmpty();
      assertThat(reportedLost).as("the log names exactly the lost sessions").isEqualTo(missing);
      if (damage == Damage.ZERO_LENGTH) {
        assertThat(missing).hasSize(SESSIONS);
      }
      Response created = node.send("POST", "/sessions", token(data), "{\"sourceLanguage\":\"en\"}");
      assertThat(created.status()).as(created.body()).isEqualTo(201);
      node.stop();
    }

    // the recovered store is an ordinary one now: it starts without --recover
    try (ServerProcess node = ServerProcess.serve(data, "--config", config.toString())) {
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> node.send("GET", "/health", null, null).status() == 200);
      for (String id : acknowledged) {
        int expected = reportedLost.contains(id) ? 404 : 200;
        assertThat(node.send("GET", "/sessions/" + id, null, null).status())
            .as(id)
            .isEqualTo(expected);
      }
    }
  }

  /** Where the newest chunk begins, from the file header's {@code block} (in 4 KiB blocks). */
  private static long newestChunk(FileChannel ch) throws IOException {
    ByteBuffer header = ByteBuffer.allocate(4096);
    ch.read(header, 0);
    String text = new String(header.array(), 0, header.position(), StandardCharsets.ISO_8859_1);
    Matcher block = Pattern.compile("block:([0-9a-f]+)").matcher(text);
    if (!block.find()) {
      throw new IllegalStateException("no block in the store's header: " + text);
    }
    return Long.parseLong(block.group(1), 16) * 4096;
  }

  private static String token(Path data) {
    return TokenMinter.mint(
        HmacSecret.loadOrCreate(data, ""),
        "pentecost",
        "alice",
        Duration.ofHours(1),
        Clock.systemUTC());
  }

  private static List<Path> damagedFilesIn(Path data) throws IOException {
    try (Stream<Path> files = Files.list(data)) {
      return files
          .filter(p -> ASIDE.matcher(p.getFileName().toString()).matches())
          .map(Path::toAbsolutePath)
          .toList();
    }
  }

  /** The message of a JSON log line, or the line itself. */
  private static String message(String line) {
    try {
      return JSON.readTree(line).path("message").asText(line);
    } catch (IOException e) {
      return line;
    }
  }

  private static String digest(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
