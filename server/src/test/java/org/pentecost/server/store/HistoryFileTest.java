package org.pentecost.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.session.SummaryStore.Change;
import org.pentecost.server.session.TranscriptLine;
import org.pentecost.server.session.TranscriptStore.Limits;
import org.slf4j.LoggerFactory;

/** The history file across restarts, and what a damaged one does to a start. */
class HistoryFileTest {
  private static final Limits ROOMY = new Limits(1000, 1_000_000);
  private static final long LATER = System.currentTimeMillis() + 3_600_000;

  @TempDir Path dir;
  private Vertx vertx;
  private HistoryFile file;
  private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
  private Logger logger;

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    logger = (Logger) LoggerFactory.getLogger(HistoryFile.class);
    captured.start();
    logger.addAppender(captured);
  }

  @AfterEach
  void stop() {
    logger.detachAppender(captured);
    if (file != null) {
      await(file.close());
    }
    await(vertx.close());
  }

  private static <T> T await(Future<T> future) {
    return SessionStoreContract.await(future);
  }

  private void reopen() {
    if (file != null) {
      await(file.close());
    }
    file = HistoryFile.open(vertx, dir, Clock.systemUTC());
  }

  private void writeSome() {
    reopen();
    EmbeddedTranscriptStore transcripts = new EmbeddedTranscriptStore(file);
    EmbeddedSummaryStore summaries = new EmbeddedSummaryStore(file);
    await(transcripts.append("S1", 7, "en", new TranscriptLine(1, "first"), LATER, ROOMY));
    await(transcripts.append("S1", 7, "en", new TranscriptLine(2, "second"), LATER, ROOMY));
    await(transcripts.append("S1", 7, "es", new TranscriptLine(3, "tercera"), LATER, ROOMY));
    await(summaries.update("S1", 7, new Change(Map.of("ms|en", 42L), Map.of(), Map.of()), LATER));
  }

  @Test
  void transcriptsAndSummariesSurviveACloseAndReopen() {
    writeSome();
    reopen();
    EmbeddedTranscriptStore transcripts = new EmbeddedTranscriptStore(file);
    assertThat(await(transcripts.lines("S1", 7, "en")))
        .containsExactly(new TranscriptLine(1, "first"), new TranscriptLine(2, "second"));
    assertThat(await(transcripts.languages("S1", 7))).containsExactlyInAnyOrder("en", "es");
    assertThat(await(new EmbeddedSummaryStore(file).read("S1", 7)))
        .isEqualTo(Map.of("ms|en", "42"));
    // the bound counts the lines kept before the restart
    Limits three = new Limits(3, 1_000);
    assertThat(
            await(transcripts.append("S1", 7, "en", new TranscriptLine(4, "third"), LATER, three)))
        .isTrue();
    assertThat(
            await(transcripts.append("S1", 7, "en", new TranscriptLine(5, "fourth"), LATER, three)))
        .isFalse();
    assertThat(captured.list).noneMatch(e -> e.getLevel() == Level.WARN);
  }

  @Test
  void aFileThatIsNotAStoreIsMovedAsideAndAFreshOneStarts() throws IOException {
    Files.writeString(
        dir.resolve(HistoryFile.FILE_NAME),
        "not a store file\n".repeat(500),
        StandardCharsets.UTF_8);
    reopen();
    assertFreshAndDamagedKept();
  }

  @Test
  void aFileWithOverwrittenHeadersIsMovedAsideAndAFreshOneStarts() throws IOException {
    writeSome();
    await(file.close());
    file = null;
    Path path = dir.resolve(HistoryFile.FILE_NAME);
    try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "rw")) {
      raf.write("garbage ".repeat(1024).getBytes(StandardCharsets.US_ASCII)); // both headers
    }
    reopen();
    assertFreshAndDamagedKept();
  }

  private void assertFreshAndDamagedKept() throws IOException {
    assertThat(file).isNotNull();
    EmbeddedTranscriptStore transcripts = new EmbeddedTranscriptStore(file);
    assertThat(await(transcripts.lines("S1", 7, "en"))).isEmpty();
    assertThat(await(transcripts.append("S1", 7, "en", new TranscriptLine(9, "new"), LATER, ROOMY)))
        .isTrue();
    List<Path> aside;
    try (Stream<Path> files = Files.list(dir)) {
      aside =
          files
              .filter(p -> p.getFileName().toString().startsWith("history.mv.db.damaged-"))
              .toList();
    }
    assertThat(aside).hasSize(1);
    assertThat(captured.list)
        .anySatisfy(
            e -> {
              assertThat(e.getLevel()).isEqualTo(Level.WARN);
              assertThat(e.getFormattedMessage())
                  .contains(dir.resolve(HistoryFile.FILE_NAME).toAbsolutePath().toString())
                  .contains(aside.get(0).getFileName().toString());
            });
  }
}
