package org.pentecost.server.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import org.h2.mvstore.Cursor;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.pentecost.server.config.ConfigException;
import org.pentecost.server.error.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded store's history file, {@code <dataDir>/history.mv.db}: the transcripts and summaries
 * of sessions (see {@link EmbeddedTranscriptStore}, {@link EmbeddedSummaryStore}), apart from the
 * sessions' own file.
 *
 * <p>Durability: MVStore's own auto-commit, about once a second, on its background thread, which
 * also compacts the file (chunks under {@code autoCompactFillRate}, 90 %, are rewritten). Nothing
 * here is acknowledged to a client, so nothing waits for a commit: a {@code kill -9} may lose the
 * last second of captions and summary figures, a clean stop loses nothing.
 *
 * <p>Every operation runs on one thread of its own ({@link #run}): the maps change in order without
 * locks, and no event loop waits for a page read from the disk or for a commit MVStore starts on a
 * writing thread when much is unsaved.
 *
 * <p>A damaged or unreadable file does not stop the node: it is moved aside as {@code
 * history.mv.db.damaged-<time>} with a WARN naming both files, and a fresh one is started (old
 * transcripts are worth less than a node that starts). If no file can be used at all (a full disk),
 * {@link #open} returns null and the node keeps history in memory until its next start.
 */
public final class HistoryFile {
  private static final Logger LOG = LoggerFactory.getLogger(HistoryFile.class);
  static final String FILE_NAME = "history.mv.db";
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  /** How long one compaction after a purge may take. */
  private static final int COMPACT_MS = 2000;

  private final Path path;
  private final MVStore store;
  private final WorkerExecutor thread;

  /** session key + SEP + language + SEP + line number (12 digits) -> the line's JSON. */
  final MVMap<String, String> lines;

  /** session key + SEP + language -> "lines chars": the size of one transcript. */
  final MVMap<String, String> transcriptSizes;

  /** session key -> its expiresAt, for transcripts. */
  final MVMap<String, String> transcriptExpiry;

  /** session key -> the summary's fields as a JSON object. */
  final MVMap<String, String> summaries;

  /** session key -> its expiresAt, for summaries. */
  final MVMap<String, String> summaryExpiry;

  private HistoryFile(Vertx vertx, Path path, MVStore store) {
    this.path = path;
    this.store = store;
    this.lines = store.openMap("transcriptLines", StoreFile.stringMap());
    this.transcriptSizes = store.openMap("transcriptSizes", StoreFile.stringMap());
    this.transcriptExpiry = store.openMap("transcriptExpiry", StoreFile.stringMap());
    this.summaries = store.openMap("summaries", StoreFile.stringMap());
    this.summaryExpiry = store.openMap("summaryExpiry", StoreFile.stringMap());
    this.thread = vertx.createSharedWorkerExecutor("pentecost-history-" + path.hashCode(), 1);
  }

  /** The key of one session record in every map: its id and {@code createdAt}. */
  static String sessionKey(String sessionId, long createdAt) {
    return sessionId + StoreFile.SEP + createdAt;
  }

  /**
   * Opens (or creates) {@code <dataDir>/history.mv.db}, reading all of it so that damage shows now.
   * Blocks on the disk: call it at start-up. A damaged file is moved aside and replaced by a fresh
   * one.
   *
   * @return the open file, or null if none can be used (logged): keep history in memory then
   * @throws ConfigException if another process holds the file
   */
  public static HistoryFile open(Vertx vertx, Path dataDir, Clock clock) {
    Path file = dataDir.toAbsolutePath().resolve(FILE_NAME);
    try {
      return new HistoryFile(vertx, file, openAndRead(file));
    } catch (RuntimeException e) {
      if (e instanceof MVStoreException m && m.getErrorCode() == DataUtils.ERROR_FILE_LOCKED) {
        throw new ConfigException(
            "History file " + file + " is already in use by another process", e);
      }
      if (StoreErrors.isDiskFull(e)) {
        LOG.warn(
            "history file {} cannot be opened ({}): transcripts and summaries are kept in memory"
                + " until the next start",
            file,
            StoreErrors.reason(e));
        return null;
      }
      return replaceDamaged(vertx, file, clock, e);
    }
  }

  private static HistoryFile replaceDamaged(
      Vertx vertx, Path file, Clock clock, RuntimeException damage) {
    Path aside = unusedName(file, ".damaged-" + STAMP.format(clock.instant()));
    try {
      Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
      HistoryFile fresh = new HistoryFile(vertx, file, openAndRead(file));
      LOG.warn(
          "history file {} is damaged or unreadable ({}): moved aside as {}, a fresh one started;"
              + " the transcripts and summaries it held are not served",
          file,
          StoreErrors.reason(damage),
          aside.getFileName());
      return fresh;
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "history file {} is damaged or unreadable ({}) and no fresh one could be started ({}):"
              + " transcripts and summaries are kept in memory until the next start",
          file,
          StoreErrors.reason(damage),
          StoreErrors.reason(e));
      return null;
    }
  }

  private static MVStore openAndRead(Path file) {
    // auto-commit stays on (every second, on MVStore's thread, which also compacts the file)
    MVStore store = new MVStore.Builder().fileName(file.toString()).open();
    try {
      for (String name : store.getMapNames()) {
        MVMap<String, String> map = store.openMap(name, StoreFile.stringMap());
        for (Cursor<String, String> c = map.cursor(null); c.hasNext(); ) {
          c.next();
          c.getValue();
        }
      }
      return store;
    } catch (RuntimeException e) {
      store.closeImmediately();
      throw e;
    }
  }

  private static Path unusedName(Path file, String suffix) {
    Path candidate = file.resolveSibling(file.getFileName() + suffix);
    for (int i = 2; Files.exists(candidate); i++) {
      candidate = file.resolveSibling(file.getFileName() + suffix + "-" + i);
    }
    return candidate;
  }

  /** Deletes every key of {@code map} that starts with {@code prefix}. */
  static void deleteRange(MVMap<String, String> map, String prefix) {
    List<String> keys = new ArrayList<>();
    for (Iterator<String> it = map.keyIterator(prefix); it.hasNext(); ) {
      String key = it.next();
      if (!key.startsWith(prefix)) {
        break;
      }
      keys.add(key);
    }
    keys.forEach(map::remove);
  }

  /**
   * After a purge deleted something: moves the chunks still in use to the start of the file and
   * cuts off the rest, for up to {@link #COMPACT_MS}. MVStore's background compaction reuses freed
   * space but rarely gives it back; this gives back what earlier purges freed (what this purge
   * deletes is committed by MVStore within a second, and freed after its retention time, so it is
   * given back by a later purge). Runs on the history thread, from a purge's task.
   */
  void compactAfterPurge() {
    int retention = store.getRetentionTime();
    try {
      store.compactFile(COMPACT_MS);
    } finally {
      store.setRetentionTime(retention); // compactFile sets it to 0 for good
    }
  }

  Path path() {
    return path;
  }

  /**
   * Runs {@code task} on the history thread; the future completes on the caller's context. A
   * failure of the file fails it with {@link StoreException}.
   */
  <T> Future<T> run(String operation, Callable<T> task) {
    try {
      return call(operation, task);
    } catch (RuntimeException e) { // the thread was closed with the node
      return Future.failedFuture(
          new StoreException("history file " + path + " is closed: " + operation, e));
    }
  }

  private <T> Future<T> call(String operation, Callable<T> task) {
    return thread.executeBlocking(
        () -> {
          try {
            return task.call();
          } catch (StoreException e) {
            throw e;
          } catch (RuntimeException e) {
            throw new StoreException(
                "history file " + path + ": " + operation + " failed: " + StoreErrors.reason(e), e);
          }
        },
        false);
  }

  /** Writes what is unsaved and closes the file, then the thread. */
  public Future<Void> close() {
    return run(
            "close",
            () -> {
              store.close();
              return (Void) null;
            })
        .eventually(thread::close);
  }
}
