package org.pentecost.server.store;

import java.util.concurrent.ConcurrentHashMap;
import org.pentecost.server.session.Session;

/**
 * The embedded store's parsed sessions: what the last read of each id parsed, kept with the JSON it
 * came from. A read that finds the same JSON in the file again (the same string, which MVStore
 * hands back while the page is in its cache, or an equal one) takes the parsed record instead of
 * running Jackson again: {@code GET /sessions/{id}} and every join read the same few live records
 * over and over. The file stays the only truth: an entry is used only when its JSON is the file's
 * current JSON, so a stale entry costs memory, never a wrong answer. Purged ids are forgotten, and
 * the whole cache is dropped if it ever holds more than {@link #MAX_ENTRIES} (more live sessions
 * than one node serves).
 */
final class ParsedSessions {
  static final int MAX_ENTRIES = 200_000;

  private record Entry(String json, Session session) {}

  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

  /** The session stored as {@code json} under {@code id}. */
  Session parse(String id, String json) {
    Entry entry = entries.get(id);
    if (entry != null && (entry.json == json || entry.json.equals(json))) {
      return entry.session;
    }
    Session session = StoreFile.parse(json);
    if (entries.size() >= MAX_ENTRIES) {
      entries.clear();
    }
    entries.put(id, new Entry(json, session));
    return session;
  }

  /** The session {@code id} is gone from the file. */
  void forget(String id) {
    entries.remove(id);
  }

  int size() {
    return entries.size();
  }
}
