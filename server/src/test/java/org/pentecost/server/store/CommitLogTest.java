package org.pentecost.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommitLogTest {
  @TempDir Path dir;

  @Test
  void entriesReadBackAsWritten() throws Exception {
    try (CommitLog log = new CommitLog(dir)) {
      log.start(1, 0);
      log.append(2, 2, List.of(change("blessed-shepherd-427", 1), change("odd id/with:marks", 3)));
    }
    List<CommitLog.Entry> entries = new CommitLog(dir).readAll();
    assertThat(entries)
        .containsExactly(
            new CommitLog.Entry(1, 0, List.of()),
            new CommitLog.Entry(
                2, 2, List.of(change("blessed-shepherd-427", 1), change("odd id/with:marks", 3))));
  }

  @Test
  void aLineCutShortOrAlteredIsSkippedAndTheCutOneIsDroppedOnStart() throws Exception {
    Path file = dir.resolve(CommitLog.FILE_NAME);
    try (CommitLog log = new CommitLog(dir)) {
      log.start(1, 0);
      log.append(2, 1, List.of(change("A", 1)));
    }
    String altered =
        Files.readString(file).replace("2 1 A/1/", "2 1 B/1/") + "3 2 C/1/99 0bad"; // no newline
    Files.writeString(file, altered);
    assertThat(new CommitLog(dir).last()).isEqualTo(new CommitLog.Entry(1, 0, List.of()));

    try (CommitLog log = new CommitLog(dir)) {
      log.start(4, 1);
    }
    assertThat(Files.readString(file)).doesNotContain("0bad");
    assertThat(new CommitLog(dir).last()).isEqualTo(new CommitLog.Entry(4, 1, List.of()));
  }

  @Test
  void aFullLogMovesToThePreviousFileAndBothAreRead() throws Exception {
    String id = "x".repeat(200);
    long version = 0;
    try (CommitLog log = new CommitLog(dir)) {
      log.start(++version, 0);
      while (!Files.exists(dir.resolve(CommitLog.FILE_NAME + ".1"))) {
        log.append(++version, version, List.of(change(id, version)));
      }
      log.append(++version, version, List.of());
    }
    List<CommitLog.Entry> entries = new CommitLog(dir).readAll();
    assertThat(entries).hasSize((int) version);
    assertThat(entries.get(entries.size() - 1).version()).isEqualTo(version);
    assertThat(Files.size(dir.resolve(CommitLog.FILE_NAME))).isLessThan(1024);
  }

  @Test
  void appendingAfterAFailureWaitsForAStart() throws Exception {
    try (CommitLog log = new CommitLog(dir)) {
      log.start(1, 0);
      Files.delete(dir.resolve(CommitLog.FILE_NAME));
      log.close(); // as after a failed write
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> log.append(2, 0, List.of()))
          .hasMessageContaining("not open");
      log.start(2, 0);
      log.append(3, 0, List.of());
    }
    assertThat(Files.readAllLines(dir.resolve(CommitLog.FILE_NAME), StandardCharsets.ISO_8859_1))
        .hasSize(2);
    Files.writeString(dir.resolve(CommitLog.FILE_NAME), "\n", StandardOpenOption.APPEND);
    assertThat(new CommitLog(dir).last().version()).isEqualTo(3);
  }

  private static CommitLog.Change change(String id, long version) {
    return new CommitLog.Change(id, version, 1_700_000_000_000L + version);
  }
}
