package org.pentecost.server.store;

import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.MVStoreException;
import org.h2.mvstore.type.StringDataType;
import org.pentecost.server.session.Session;
import org.pentecost.server.util.Json;

/**
 * One opening of the store file: the MVStore and its maps. After a failed write (a full disk)
 * MVStore closes itself for good, so the embedded store opens the file again as a new {@code
 * StoreFile} rather than reusing this one.
 */
final class StoreFile {
  static final String SESSIONS = "sessions";
  static final char SEP = '\u0000';

  final Path path;
  final MVStore store;

  /** id -> session JSON. */
  final MVMap<String, String> sessions;

  /** speakerUserId + SEP + id -> "": lets findBySpeaker read one key range, not every session. */
  final MVMap<String, String> bySpeaker;

  /**
   * False while this opening only serves reads (after a failed write, until a test write works): a
   * change made to it then could be committed later although its caller was answered 503.
   */
  volatile boolean writable = true;

  private StoreFile(Path path, MVStore store) {
    this.path = path;
    this.store = store;
    this.sessions = store.openMap(SESSIONS, stringMap());
    this.bySpeaker = store.openMap("sessionsBySpeaker", stringMap());
  }

  /**
   * Opens (or creates) the file for reading and writing. Blocks on the disk.
   *
   * @throws MVStoreException if MVStore cannot open it
   */
  static final int RETENTION_MS = 1000;

  static StoreFile open(Path path) {
    MVStore store =
        new MVStore.Builder()
            .fileName(path.toString())
            .autoCommitDisabled()
            // 0 keeps MVStore from committing on a writing thread, which may be an event loop
            .autoCommitBufferSize(0)
            .open();
    // MVStore keeps freed chunks 45 s by default, in case the disk has not flushed the chunks that
    // replaced them; every commit here is synced before it is acknowledged, so 1 s is margin
    // enough, and the space is reused instead of the file growing under a create load.
    store.setRetentionTime(RETENTION_MS);
    try {
      return new StoreFile(path, store);
    } catch (RuntimeException e) {
      store.closeImmediately();
      throw e;
    }
  }

  static MVMap.Builder<String, String> stringMap() {
    return new MVMap.Builder<String, String>()
        .keyType(StringDataType.INSTANCE)
        .valueType(StringDataType.INSTANCE);
  }

  /** MVStore's version: grows by one with every commit that wrote something. */
  long version() {
    return store.getCurrentVersion();
  }

  long count() {
    return sessions.sizeAsLong();
  }

  boolean isClosed() {
    return store.isClosed();
  }

  /**
   * Writes every change made so far to the file.
   *
   * @throws MVStoreException if writing failed; MVStore has then closed itself
   */
  void commit() {
    store.commit();
    // after a panic MVStore closes itself, and commit() then returns without writing anything
    MVStoreException panic = store.getPanicException();
    if (panic != null) {
      throw panic;
    }
    if (store.isClosed()) {
      throw new IllegalStateException("the store file " + path + " is closed");
    }
  }

  /** Writes one small change and commits it: proves that the file can be written again. */
  void probe() {
    store
        .openMap("writeCheck", stringMap())
        .put("lastWriteCheck", Long.toString(System.currentTimeMillis()));
    commit();
  }

  void close() {
    store.close();
  }

  /** Releases the file without writing anything more to it. */
  void closeImmediately() {
    store.closeImmediately();
  }

  void index(Session session) {
    bySpeaker.put(indexKey(session), "");
  }

  void unindexUnlessSameKey(Session old, Session current) {
    if (!indexKey(old).equals(indexKey(current))) {
      unindex(old);
    }
  }

  void unindex(Session old) {
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
   * Reads every session (so that a damaged page shows now, not on some later request) and puts the
   * speaker index right: a kill between the two maps' changes can leave it one entry off. Commits
   * if it changed anything.
   */
  void repairIndex() {
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
      commit();
    }
  }

  static String indexKey(Session session) {
    return session.speakerUserId() + SEP + session.id();
  }

  static Session parse(String json) {
    return Json.read(json, Session.class);
  }
}
