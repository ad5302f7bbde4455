package org.pentecost.server.store;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import org.h2.mvstore.Cursor;
import org.pentecost.server.config.ConfigException;
import org.pentecost.server.error.StoreException;
import org.pentecost.server.session.Session;
import org.pentecost.server.session.SessionStatus;
import org.pentecost.server.session.SessionStore;
import org.pentecost.server.util.Json;

/**
 * {@link SessionStore} on an H2 MVStore file, {@code <dataDir>/sessions.mv.db}.
 *
 * <p>Changes apply to the in-memory maps at once (so conditional operations stay atomic through
 * MVMap's compare-and-set), and their futures then wait for a group commit: one committer thread
 * writes every change made so far in one {@code commit()}, then completes the waiting futures on
 * their callers' contexts. Under load many writes share one commit, and no event loop ever waits
 * for the disk. Reads see changes whose commit may still be in flight.
 *
 * <p>Durability: a commit writes to the file but does not fsync it. A committed session survives
 * the death of the process (even {@code kill -9}), since the operating system still holds the
 * written pages; it may be lost if the machine itself loses power before the OS flushes them.
 *
 * <p>A failed write (a full disk) does not end the store: writes and {@link #ping} fail at once
 * while reads go on from what was committed, and the store writes again by itself once it can (see
 * {@link GroupCommitter}). A file found damaged at start stops the start, or with {@code recover}
 * is replaced by what it still holds (see {@link StoreStartup}, {@link CommitLog}).
 */
public final class EmbeddedSessionStore implements SessionStore {
  static final String FILE_NAME = "sessions.mv.db";

  private final Vertx vertx;
  private final Clock clock;
  private final Path file;
  private final GroupCommitter committer;

  /** Sessions deleted or overwritten after they expired without having ended, until taken. */
  private final Queue<String> expired = new ConcurrentLinkedQueue<>();

  /** Parsed records of the sessions read lately: reads skip Jackson while the JSON is unchanged. */
  private final ParsedSessions parsed = new ParsedSessions();

  private EmbeddedSessionStore(Vertx vertx, Clock clock, Path file, GroupCommitter committer) {
    this.vertx = vertx;
    this.clock = clock;
    this.file = file;
    this.committer = committer;
  }

  /**
   * {@link #open(Vertx, Path, Clock, boolean)} without recovery: a damaged file stops the start.
   */
  public static EmbeddedSessionStore open(Vertx vertx, Path dataDir, Clock clock) {
    return open(vertx, dataDir, clock, false);
  }

  /**
   * Opens (or creates) the store under {@code dataDir}. Blocks while the file is opened and read:
   * call it at start-up, not on an event loop.
   *
   * @param recover if the file is damaged, keep it aside and start from what it still holds ({@code
   *     store.recover}); otherwise a damaged file stops the start
   * @throws ConfigException with an operator-readable message if the directory or file is unusable
   *     or damaged
   */
  public static EmbeddedSessionStore open(Vertx vertx, Path dataDir, Clock clock, boolean recover) {
    Path dir = dataDir.toAbsolutePath();
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new ConfigException("Data directory " + dir + " cannot be created: " + e, e);
    }
    if (!Files.isWritable(dir)) {
      throw new ConfigException("Data directory " + dir + " is not writable by this process");
    }
    Path file = dir.resolve(FILE_NAME);
    StoreStartup.Opened opened = StoreStartup.open(dir, file, recover, clock);
    GroupCommitter committer = new GroupCommitter(opened.file(), opened.log());
    committer.start();
    return new EmbeddedSessionStore(vertx, clock, file, committer);
  }

  @Override
  public Future<Boolean> create(Session session) {
    Context context = vertx.getOrCreateContext();
    try {
      StoreFile s = committer.forWriting();
      String json = Json.write(session);
      long now = clock.millis();
      while (true) {
        String existing = s.sessions.putIfAbsent(session.id(), json);
        if (existing == null) {
          s.index(session);
          break;
        }
        Session old = parsed.parse(session.id(), existing);
        if (!old.isExpired(now)) {
          return Future.succeededFuture(false);
        }
        if (s.sessions.replace(session.id(), existing, json)) {
          expiredUnended(old);
          s.index(session);
          s.unindexUnlessSameKey(old, session);
          break;
        }
        // changed under us: look again
      }
      return committer.afterCommit(context, true, s, change(session));
    } catch (RuntimeException e) {
      return failure("create", e);
    }
  }

  @Override
  public Future<Optional<Session>> get(String id) {
    try {
      return Future.succeededFuture(live(committer.forReading(), id, clock.millis()));
    } catch (RuntimeException e) {
      return failure("get", e);
    }
  }

  @Override
  public Future<List<Session>> findBySpeaker(String speakerUserId) {
    try {
      StoreFile s = committer.forReading();
      long now = clock.millis();
      String from = speakerUserId + StoreFile.SEP;
      String to = speakerUserId + (char) (StoreFile.SEP + 1);
      List<Session> found = new ArrayList<>();
      Cursor<String, String> cursor = s.bySpeaker.cursor(from, to, false);
      while (cursor.hasNext()) {
        String key = cursor.next();
        live(s, key.substring(from.length()), now)
            .filter(session -> session.speakerUserId().equals(speakerUserId))
            .ifPresent(found::add);
      }
      found.sort(
          Comparator.comparingLong(Session::createdAt).reversed().thenComparing(Session::id));
      return Future.succeededFuture(found);
    } catch (RuntimeException e) {
      return failure("findBySpeaker", e);
    }
  }

  @Override
  public Future<Boolean> replace(long expectedVersion, Session updated) {
    if (updated.version() != expectedVersion + 1) {
      return Future.failedFuture(
          new IllegalArgumentException(
              "updated.version() must be " + (expectedVersion + 1) + ", is " + updated.version()));
    }
    Context context = vertx.getOrCreateContext();
    try {
      StoreFile s = committer.forWriting();
      String json = Json.write(updated);
      long now = clock.millis();
      while (true) {
        String current = s.sessions.get(updated.id());
        if (current == null) {
          return Future.succeededFuture(false);
        }
        Session old = parsed.parse(updated.id(), current);
        if (old.isExpired(now) || old.version() != expectedVersion) {
          return Future.succeededFuture(false);
        }
        if (s.sessions.replace(updated.id(), current, json)) {
          s.index(updated);
          s.unindexUnlessSameKey(old, updated);
          return committer.afterCommit(context, true, s, change(updated));
        }
      }
    } catch (RuntimeException e) {
      return failure("replace", e);
    }
  }

  @Override
  public Future<Integer> purgeExpired(long now) {
    if (committer.refusingWrites()) {
      // purging writes: while the store cannot (it said so once), the next purge catches up
      return Future.succeededFuture(0);
    }
    Context context = vertx.getOrCreateContext();
    StoreFile s;
    try {
      s = committer.forWriting();
    } catch (RuntimeException e) {
      return failure("purgeExpired", e);
    }
    // a scan of every session: run it on a worker, never on the event loop
    return vertx
        .executeBlocking(
            () ->
                purgeNow(
                    s,
                    now,
                    session -> {
                      parsed.forget(session.id());
                      expiredUnended(session);
                    }),
            false)
        .recover(e -> failure("purgeExpired", e))
        .compose(
            count ->
                count == 0
                    ? Future.succeededFuture(0)
                    : committer.afterCommit(context, count, s, null));
  }

  private static int purgeNow(StoreFile s, long now, Consumer<Session> purged) {
    int count = 0;
    Iterator<Map.Entry<String, String>> it = s.sessions.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, String> entry = it.next();
      Session session = StoreFile.parse(entry.getValue());
      // conditional: a session created meanwhile under the same id stays
      if (session.isExpired(now) && s.sessions.remove(entry.getKey(), entry.getValue())) {
        s.unindex(session);
        purged.accept(session);
        count++;
      }
    }
    return count;
  }

  /** One node: the ids of purged or overwritten sessions that expired without having ended. */
  @Override
  public Future<List<String>> takeExpired(long now) {
    List<String> taken = new ArrayList<>();
    for (String id = expired.poll(); id != null; id = expired.poll()) {
      taken.add(id);
    }
    return Future.succeededFuture(taken);
  }

  private void expiredUnended(Session old) {
    if (old.status() != SessionStatus.ENDED) {
      expired.add(old.id());
    }
  }

  /**
   * Fails while the store cannot serve: closed, or refusing writes after a failed one (a full
   * disk), until it can write again.
   */
  @Override
  public Future<Void> ping() {
    StoreException why = committer.unavailable();
    return why == null ? Future.succeededFuture() : Future.failedFuture(why);
  }

  @Override
  public Future<Void> close() {
    return committer.close(vertx.getOrCreateContext());
  }

  /** The store file's path. */
  Path file() {
    return file;
  }

  /** How many commits reached the file so far; lets tests see that writes share commits. */
  long commitCount() {
    return committer.commitCount();
  }

  /** Entries of the speaker index; lets tests see that purging frees it. */
  long indexSize() {
    return committer.forReading().bySpeaker.sizeAsLong();
  }

  private Optional<Session> live(StoreFile s, String id, long now) {
    String json = s.sessions.get(id);
    if (json == null) {
      return Optional.empty();
    }
    Session session = parsed.parse(id, json);
    return session.isExpired(now) ? Optional.empty() : Optional.of(session);
  }

  private static CommitLog.Change change(Session session) {
    return new CommitLog.Change(session.id(), session.version(), session.expiresAt());
  }

  private <T> Future<T> failure(String operation, Throwable e) {
    return Future.failedFuture(committer.failure(operation, e));
  }
}
