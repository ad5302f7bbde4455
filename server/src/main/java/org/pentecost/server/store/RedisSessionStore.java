package org.pentecost.server.store;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Response;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.pentecost.server.error.StoreException;
import org.pentecost.server.redis.LuaScript;
import org.pentecost.server.redis.RedisCommands;
import org.pentecost.server.redis.RedisKeys;
import org.pentecost.server.session.Session;
import org.pentecost.server.session.SessionStatus;
import org.pentecost.server.session.SessionStore;
import org.pentecost.server.util.Json;

/**
 * {@link SessionStore} in Redis, shared by every node.
 *
 * <ul>
 *   <li>A session is its JSON (as the embedded store writes it) under {@code session:{id}}, with a
 *       Redis time to live that ends at its {@code expiresAt}: Redis deletes expired sessions
 *       itself.
 *   <li>{@link #create} is {@code SET NX PX}; only when the id is still held (by a session that may
 *       have expired by this node's clock but not yet by Redis's) does a script decide.
 *   <li>{@link #replace} is a script that compares the version and sets in one step.
 *   <li>{@link #findBySpeaker} reads the speaker's index {@code speaker:{userId}}, a sorted set of
 *       session ids scored by {@code expiresAt}. The entry is written before the session, so it is
 *       never missing; an entry may be stale (the create lost the id, or the session expired) and
 *       is skipped when read. Expired entries are dropped by score on the next create, and the
 *       index expires with its longest-lived session, so it never grows without bound.
 * </ul>
 *
 * <p>Expiry follows the node's clock, as for the embedded store: reads hide a session whose {@code
 * expiresAt} has passed even if Redis still holds it for a few milliseconds.
 *
 * <p>In a Redis Cluster every key of one session lives in one slot (hash tag {@code {id}}); the
 * speaker index lives in its speaker's slot and is never written in the same command.
 */
public final class RedisSessionStore implements SessionStore {
  private static final LuaScript TAKE_EXPIRED = LuaScript.load("session_take_expired");
  private static final LuaScript REPLACE = LuaScript.load("session_replace");
  private static final LuaScript INDEX = LuaScript.load("speaker_index");
  private static final LuaScript EXPIRED = LuaScript.load("sessions_expired");

  /** Expired sessions taken per call of {@link #takeExpired}; the next purge takes the rest. */
  private static final int EXPIRED_BATCH = 256;

  private final RedisCommands redis;
  private final RedisKeys keys;
  private final Clock clock;

  /** The store does not own {@code redis}: whoever created it closes it. */
  public RedisSessionStore(RedisCommands redis, RedisKeys keys, Clock clock) {
    this.redis = redis;
    this.keys = keys;
    this.clock = clock;
  }

  @Override
  public Future<Boolean> create(Session session) {
    long now = clock.millis();
    long ttl = session.expiresAt() - now;
    if (ttl <= 0) {
      // already expired: storing it would be invisible and gone at once
      return Future.succeededFuture(true);
    }
    String key = keys.session(session.id());
    String json = Json.write(session);
    return redis
        .eval(
            INDEX,
            List.of(keys.speaker(session.speakerUserId())),
            List.of(session.id(), session.expiresAt(), now, ttl))
        .compose(indexed -> redis.send(Command.SET, key, json, "NX", "PX", ttl))
        .compose(
            set -> {
              if (set != null) {
                return Future.succeededFuture(true);
              }
              return redis
                  .eval(TAKE_EXPIRED, List.of(key), List.of(json, ttl, now))
                  .map(RedisSessionStore::isOne);
            })
        .compose(
            created ->
                created && session.status() != SessionStatus.ENDED
                    ? expiring(session).map(true)
                    : Future.succeededFuture(created));
  }

  @Override
  public Future<Optional<Session>> get(String id) {
    long now = clock.millis();
    return redis.send(Command.GET, keys.session(id)).map(r -> live(r, now));
  }

  @Override
  public Future<List<Session>> findBySpeaker(String speakerUserId) {
    long now = clock.millis();
    return redis
        .send(Command.ZRANGE, keys.speaker(speakerUserId), "(" + now, "+inf", "BYSCORE")
        .compose(
            ids -> {
              List<Future<Optional<Session>>> reads = new ArrayList<>();
              for (Response id : ids) {
                reads.add(
                    redis.send(Command.GET, keys.session(id.toString())).map(r -> live(r, now)));
              }
              return Future.all(reads)
                  .map(
                      all -> {
                        List<Session> found = new ArrayList<>();
                        for (int i = 0; i < all.size(); i++) {
                          Optional<Session> s = all.resultAt(i);
                          s.filter(x -> x.speakerUserId().equals(speakerUserId))
                              .ifPresent(found::add);
                        }
                        found.sort(
                            Comparator.comparingLong(Session::createdAt)
                                .reversed()
                                .thenComparing(Session::id));
                        return found;
                      });
            });
  }

  @Override
  public Future<Boolean> replace(long expectedVersion, Session updated) {
    if (updated.version() != expectedVersion + 1) {
      return Future.failedFuture(
          new IllegalArgumentException(
              "updated.version() must be " + (expectedVersion + 1) + ", is " + updated.version()));
    }
    long now = clock.millis();
    long ttl = updated.expiresAt() - now;
    if (ttl <= 0) {
      return Future.succeededFuture(false);
    }
    return redis
        .eval(
            REPLACE,
            List.of(keys.session(updated.id())),
            List.of(Json.write(updated), expectedVersion, now, ttl))
        .map(RedisSessionStore::isOne)
        .compose(
            replaced ->
                replaced && updated.status() == SessionStatus.ENDED
                    ? notExpiring(updated.id()).map(true)
                    : Future.succeededFuture(replaced));
  }

  /** Files a new session in the index of sessions whose expiry is reported; best effort. */
  private Future<Void> expiring(Session session) {
    return redis
        .send(Command.ZADD, keys.expiring(), session.expiresAt(), session.id())
        .<Void>mapEmpty()
        .recover(e -> Future.succeededFuture());
  }

  /** An ended session's expiry is not reported; best effort. */
  private Future<Void> notExpiring(String id) {
    return redis
        .send(Command.ZREM, keys.expiring(), id)
        .<Void>mapEmpty()
        .recover(e -> Future.succeededFuture());
  }

  /** Takes expired ids from the index in one script: each goes to one node only. */
  @Override
  public Future<List<String>> takeExpired(long now) {
    return redis
        .eval(EXPIRED, List.of(keys.expiring()), List.of(now, EXPIRED_BATCH))
        .map(
            ids -> {
              List<String> taken = new ArrayList<>();
              ids.forEach(id -> taken.add(id.toString()));
              return taken;
            });
  }

  /**
   * Redis deletes each session at its {@code expiresAt} (its key's time to live) and speaker
   * indexes drop expired entries on the next create and expire with their last session, so there is
   * nothing left to delete here: always 0.
   */
  @Override
  public Future<Integer> purgeExpired(long now) {
    return Future.succeededFuture(0);
  }

  @Override
  public Future<Void> ping() {
    return redis.send(Command.PING).mapEmpty();
  }

  /** Nothing to release: the shared Redis client is closed by its owner. */
  @Override
  public Future<Void> close() {
    return Future.succeededFuture();
  }

  private static Optional<Session> live(Response json, long now) {
    if (json == null) {
      return Optional.empty();
    }
    Session session;
    try {
      session = Json.read(json.toString(), Session.class);
    } catch (IllegalStateException e) {
      throw new StoreException("a session in Redis is unreadable: " + e.getMessage(), e);
    }
    return session.isExpired(now) ? Optional.empty() : Optional.of(session);
  }

  private static boolean isOne(Response r) {
    return r != null && r.toLong() == 1L;
  }
}
