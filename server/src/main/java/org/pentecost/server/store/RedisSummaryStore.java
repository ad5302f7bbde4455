package org.pentecost.server.store;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.pentecost.server.redis.LuaScript;
import org.pentecost.server.redis.RedisCommands;
import org.pentecost.server.redis.RedisKeys;
import org.pentecost.server.session.SummaryStore;

/**
 * {@link SummaryStore} in Redis, shared by every node: one hash per session record, expiring at the
 * session's {@code expiresAt}; one script applies an update (HINCRBY, a maximum, HSET) whole.
 */
public final class RedisSummaryStore implements SummaryStore {
  private static final LuaScript UPDATE = LuaScript.load("summary_update");

  private final RedisCommands redis;
  private final RedisKeys keys;

  public RedisSummaryStore(RedisCommands redis, RedisKeys keys) {
    this.redis = redis;
    this.keys = keys;
  }

  @Override
  public Future<Void> update(String sessionId, long createdAt, Change change, long expiresAt) {
    if (change.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Object> args = new ArrayList<>();
    args.add(expiresAt);
    args.add(change.add().size());
    args.add(change.max().size());
    args.add(change.set().size());
    change.add().forEach((f, n) -> args.addAll(List.of(f, n)));
    change.max().forEach((f, n) -> args.addAll(List.of(f, n)));
    change.set().forEach((f, v) -> args.addAll(List.of(f, v)));
    return redis.eval(UPDATE, List.of(keys.summary(sessionId, createdAt)), args).mapEmpty();
  }

  @Override
  public Future<Map<String, String>> read(String sessionId, long createdAt) {
    return redis
        .send(Command.HGETALL, keys.summary(sessionId, createdAt))
        .map(
            r -> {
              Map<String, String> fields = new HashMap<>();
              if (r != null) {
                CountReplies.forEachField(r, fields::put);
              }
              return fields;
            });
  }

  /** Redis deletes each summary at its session's {@code expiresAt}: nothing left to purge. */
  @Override
  public Future<Integer> purgeExpired(long now) {
    return Future.succeededFuture(0);
  }
}
