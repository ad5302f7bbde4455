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
import org.h2.mvstore.Cursor;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.type.StringDataType;
import org.pentecost.server.config.ConfigException;
import org.pentecost.server.error.StoreException;
import org.pentecost.server.session.Session;
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
 */
public final class EmbeddedSessionStore implements SessionStore {
  static final String FILE_NAME = "sessions.mv.db";
  private static final char SEP = '\u0000';

  private final Vertx vertx;
  private final Clock clock;
  private final Path file;
  private final MVStore store;
  private final MVMap<String, String> sessions;
  // speakerUserId + SEP + id -> "": lets findBySpeaker read one key range instead of every session
  private final MVMap<String, String> bySpeaker;
  private final GroupCommitter committer;

  private EmbeddedSessionStore(Vertx vertx, Clock clock, Path file, MVStore store) {
    this.vertx = vertx;
    this.clock = clock;
    this.file = file;
    this.store = store;
    this.sessions = store.openMap("sessions", stringMap());
    this.bySpeaker = store.openMap("sessionsBySpeaker", stringMap());
    this.committer = new GroupCommitter(store, file);
  }

  /**
   * Opens (or creates) the store under {@code dataDir}. Blocks while the file is opened: call it at
   * start-up, not on an event loop.
   *
   * @throws ConfigException with an operator-readable message if the directory or file is unusable
   */
  public static EmbeddedSessionStore open(Vertx vertx, Path dataDir, Clock clock) {
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
    MVStore store;
    try {
      store =
          new MVStore.Builder()
              .fileName(file.toString())
              .autoCommitDisabled()
              // 0 keeps MVStore from committing on a writing thread, which may be an event loop
              .autoCommitBufferSize(0)
              .open();
    } catch (MVStoreException e) {
      throw openFailure(file, e);
    }
    try {
      EmbeddedSessionStore result = new EmbeddedSessionStore(vertx, clock, file, store);
      result.repairIndex();
      result.committer.start();
      return result;
    } catch (MVStoreException | IllegalStateException e) {
      store.closeImmediately();
      throw new ConfigException("Session store " + file + " cannot be read (corrupt?): " + e, e);
    }
  }

  private static ConfigException openFailure(Path file, MVStoreException e) {
    String why =
        switch (e.getErrorCode()) {
          case DataUtils.ERROR_FILE_LOCKED ->
              "is already in use by another process (another server running on the same data"
                  + " directory?)";
          case DataUtils.ERROR_FILE_CORRUPT,
              DataUtils.ERROR_READING_FAILED,
              DataUtils.ERROR_CHUNK_NOT_FOUND,
              DataUtils.ERROR_BLOCK_NOT_FOUND ->
              "is corrupt or unreadable; restore it from a backup or move it away to start empty";
          case DataUtils.ERROR_UNSUPPORTED_FORMAT ->
              "has an unsupported format (written by another MVStore version?)";
          default -> "cannot be opened";
        };
    return new ConfigException(
        "Session store " + file + " " + why + " (" + e.getMessage() + ")", e);
  }

  private static MVMap.Builder<String, String> stringMap() {
    return new MVMap.Builder<String, String>()
        .keyType(StringDataType.INSTANCE)
        .valueType(StringDataType.INSTANCE);
  }

  @Override
  public Future<Boolean> create(Session session) {
    Context context = vertx.getOrCreateContext();
    try {
      String json = Json.write(session);
      long now = clock.millis();
      while (true) {
        String existing = sessions.putIfAbsent(session.id(), json);
        if (existing == null) {
          index(session);
          break;
        }
        Session old = parse(existing);
        if (!old.isExpired(now)) {
          return Future.succeededFuture(false);
        }
        if (sessions.replace(session.id(), existing, json)) {
          index(session);
          unindexUnlessSameKey(old, session);
          break;
        }
        // changed under us: look again
      }
      return committer.afterCommit(context, true);
    } catch (RuntimeException e) {
      return failure("create", e);
    }
  }

  @Override
  public Future<Optional<Session>> get(String id) {
    try {
      return Future.succeededFuture(live(id, clock.millis()));
    } catch (RuntimeException e) {
      return failure("get", e);
    }
  }

  @Override
  public Future<List<Session>> findBySpeaker(String speakerUserId) {
    try {
      long now = clock.millis();
      String from = speakerUserId + SEP;
      String to = speakerUserId + (char) (SEP + 1);
      List<Session> found = new ArrayList<>();
      Cursor<String, String> cursor = bySpeaker.cursor(from, to, false);
      while (cursor.hasNext()) {
        String key = cursor.next();
        live(key.substring(from.length()), now)
            .filter(s -> s.speakerUserId().equals(speakerUserId))
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
      String json = Json.write(updated);
      long now = clock.millis();
      while (true) {
        String current = sessions.get(updated.id());
        if (current == null) {
          return Future.succeededFuture(false);
        }
        Session old = parse(current);
        if (old.isExpired(now) || old.version() != expectedVersion) {
          return Future.succeededFuture(false);
        }
        if (sessions.replace(updated.id(), current, json)) {
          index(updated);
          unindexUnlessSameKey(old, updated);
          return committer.afterCommit(context, true);
        }
      }
    } catch (RuntimeException e) {
      return failure("replace", e);
    }
  }

  @Override
  public Future<Integer> purgeExpired(long now) {
    Context context = vertx.getOrCreateContext();
    // a scan of every session: run it on a worker, never on the event loop
    return vertx
        .executeBlocking(() -> purgeNow(now), false)
        .recover(e -> failure("purgeExpired", e))
        .compose(
            count ->
                count == 0 ? Future.succeededFuture(0) : committer.afterCommit(context, count));
  }

  private int purgeNow(long now) {
    int count = 0;
    Iterator<Map.Entry<String, String>> it = sessions.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, String> entry = it.next();
      Session session = parse(entry.getValue());
      // conditional: a session created meanwhile under the same id stays
      if (session.isExpired(now) && sessions.remove(entry.getKey(), entry.getValue())) {
        unindex(session);
        count++;
      }
    }
    return count;
  }

  @Override
  public Future<Void> ping() {
    MVStoreException panic = store.getPanicException();
    if (panic != null) {
      return Future.failedFuture(new StoreException("session store failed: " + panic, panic));
    }
    if (!committer.isOpen()) {
      return Future.failedFuture(new StoreException("session store " + file + " is closed"));
    }
    return Future.succeededFuture();
  }

  @Override
  public Future<Void> close() {
    return committer.close(vertx.getOrCreateContext());
  }

  /** How many commits reached the file so far; lets tests see that writes share commits. */
  long commitCount() {
    return committer.commitCount();
  }

  /** Entries of the speaker index; lets tests see that purging frees it. */
  long indexSize() {
    return bySpeaker.sizeAsLong();
  }

  private Optional<Session> live(String id, long now) {
    String json = sessions.get(id);
    if (json == null) {
      return Optional.empty();
    }
    Session session = parse(json);
    return session.isExpired(now) ? Optional.empty() : Optional.of(session);
  }

  private void index(Session session) {
    bySpeaker.put(indexKey(session), "");
  }

  private void unindexUnlessSameKey(Session old, Session current) {
    if (!indexKey(old).equals(indexKey(current))) {
      unindex(old);
    }
  }

  private void unindex(Session old) {
    String key = indexKey(old);
    bySpeaker.remove(key);
    // a racing create may have stored a new session with the same key just before the removal:
    // put its entry back (a stale entry would only be skipped by findBySpeaker, a missing one
    // hides)
    String current = sessions.get(old.id());
    if (current != null && parse(current).speakerUserId().equals(old.speakerUserId())) {
      bySpeaker.put(key, "");
    }
  }

  /**
   * A kill between the two maps' changes can leave the index one entry off: rebuild missing entries
   * and drop stale ones. Runs once at start-up.
   */
  private void repairIndex() {
    for (Map.Entry<String, String> entry : sessions.entrySet()) {
      bySpeaker.putIfAbsent(indexKey(parse(entry.getValue())), "");
    }
    for (Iterator<String> it = bySpeaker.keyIterator(null); it.hasNext(); ) {
      String key = it.next();
      int sep = key.indexOf(SEP);
      String json = sep < 0 ? null : sessions.get(key.substring(sep + 1));
      if (json == null || !parse(json).speakerUserId().equals(key.substring(0, sep))) {
        bySpeaker.remove(key);
      }
    }
    if (store.hasUnsavedChanges()) {
      store.commit();
    }
  }

  private static String indexKey(Session session) {
    return session.speakerUserId() + SEP + session.id();
  }

  private static Session parse(String json) {
    return Json.read(json, Session.class);
  }

  private <T> Future<T> failure(String operation, Throwable e) {
    if (e instanceof StoreException) {
      return Future.failedFuture(e);
    }
    return Future.failedFuture(
        new StoreException("session store " + operation + " failed: " + e.getMessage(), e));
  }
}
