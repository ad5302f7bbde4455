package org.pentecost.server.store;

import io.vertx.redis.client.Response;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import org.pentecost.server.session.ListenerCountStore.DemandListener;

/** Reading the replies of Redis about listener counts: hashes, and what a write or reap changed. */
final class CountReplies {
  private CountReplies() {}

  /** A session's counts by language from its hash (the sum over every node's fields). */
  static Map<String, Integer> byLanguage(Response hash) {
    Map<String, Integer> counts = new HashMap<>();
    if (hash == null) {
      return counts;
    }
    forEachField(
        hash,
        (field, value) -> {
          int bar = field.lastIndexOf('|');
          int n = Integer.parseInt(value);
          if (bar >= 0 && n > 0) {
            counts.merge(field.substring(bar + 1), n, Integer::sum);
          }
        });
    return counts;
  }

  /**
   * Whether {@code listeners_write} wrote ({@code {1, language, before, after ...}} or {@code
   * {0}}); tells {@code demand} of every language it took from 0 or to 0.
   */
  static boolean written(Response reply, String sessionId, DemandListener demand) {
    if (reply.get(0).toLong() != 1L) {
      return false;
    }
    for (int i = 1; i + 2 < reply.size(); i += 3) {
      String language = reply.get(i).toString();
      long before = reply.get(i + 1).toLong();
      long after = reply.get(i + 2).toLong();
      demand.changed(sessionId, language, before == 0 && after > 0);
    }
    return true;
  }

  /** {@code listeners_reap}'s reply ({@code {deleted, language...}}): the languages left empty. */
  static void reaped(Response reply, String sessionId, BiConsumer<String, String> abandoned) {
    for (int i = 1; i < reply.size(); i++) {
      abandoned.accept(sessionId, reply.get(i).toString());
    }
  }

  /** A hash reply as RESP3 (a map) or RESP2 (a flat array of fields and values). */
  static void forEachField(Response hash, BiConsumer<String, String> action) {
    if (hash.isMap()) {
      for (String field : hash.getKeys()) {
        action.accept(field, hash.get(field).toString());
      }
    } else {
      for (int i = 0; i + 1 < hash.size(); i += 2) {
        action.accept(hash.get(i).toString(), hash.get(i + 1).toString());
      }
    }
  }
}
