package org.pentecost.server.store;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import java.util.ArrayList;
import java.util.List;
import org.pentecost.server.error.StoreException;
import org.pentecost.server.redis.LuaScript;
import org.pentecost.server.redis.RedisCommands;
import org.pentecost.server.redis.RedisKeys;
import org.pentecost.server.session.TranscriptLine;
import org.pentecost.server.session.TranscriptStore;
import org.pentecost.server.util.Json;

/**
 * {@link TranscriptStore} in Redis, shared by every node: one list per session record and language
 * (each line's JSON), and one hash of the characters kept per language, both expiring at the
 * session's {@code expiresAt}. One script appends, checking both bounds in the same step.
 */
public final class RedisTranscriptStore implements TranscriptStore {
  private static final LuaScript APPEND = LuaScript.load("transcript_append");

  private final RedisCommands redis;
  private final RedisKeys keys;

  public RedisTranscriptStore(RedisCommands redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  @Override
  public Future<Boolean> append(
      String sessionId,
      long createdAt,
      String language,
      TranscriptLine line,
      long expiresAt,
      Limits limits) {
    return redis
        .eval(
            APPEND,
            List.of(
                keys.transcript(sessionId, createdAt, language),
                keys.transcriptSizes(sessionId, createdAt)),
            List.of(
                Json.write(line),
                language,
                line.text().length(),
                limits.maxLines(),
                limits.maxChars(),
                expiresAt))
        .map(r -> r != null && r.toLong() == 1L);
  }

  @Override
  public Future<List<TranscriptLine>> lines(String sessionId, long createdAt, String language) {
    return redis
        .send(Command.LRANGE, keys.transcript(sessionId, createdAt, language), 0, -1)
        .map(RedisTranscriptStore::parse);
  }

  @Override
  public Future<List<String>> languages(String sessionId, long createdAt) {
    return redis
        .send(Command.HKEYS, keys.transcriptSizes(sessionId, createdAt))
        .map(
            r -> {
              List<String> languages = new ArrayList<>();
              if (r != null) {
                r.forEach(language -> languages.add(language.toString()));
              }
              return languages;
            });
  }

  /** Redis deletes each transcript at its session's {@code expiresAt}: nothing left to purge. */
  @Override
  public Future<Integer> purgeExpired(long now) {
    return Future.succeededFuture(0);
  }

  private static List<TranscriptLine> parse(Response list) {
    List<TranscriptLine> lines = new ArrayList<>();
    if (list == null) {
      return lines;
    }
    for (Response item : list) {
      try {
        lines.add(Json.read(item.toString(), TranscriptLine.class));
      } catch (IllegalStateException e) {
        throw new StoreException("a transcript line in Redis is unreadable: " + e.getMessage(), e);
      }
    }
    return lines;
  }
}
