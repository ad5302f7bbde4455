package org.pentecost.server.session;

import io.vertx.core.Future;
import java.util.List;
import java.util.Optional;
import org.pentecost.server.error.StoreException;

/**
 * Durable storage of sessions.
 *
 * <p>Contract, for every implementation (checked by {@code SessionStoreContract}):
 *
 * <ul>
 *   <li>Methods never block the calling thread (an event loop); they return futures that complete
 *       on the caller's Vert.x context when called from one.
 *   <li>A future succeeds only once its change is durable by the store's standard: for the embedded
 *       store, written to the data directory so that a killed process (even {@code kill -9}) finds
 *       it on restart.
 *   <li>A session whose {@code expiresAt} has passed is invisible to every read, and its id is free
 *       again; {@link #purgeExpired} deletes such sessions for good.
 *   <li>{@link #create} and {@link #replace} are atomic and conditional, also across threads and
 *       (for shared stores) across nodes.
 *   <li>Failures of the store itself fail the future with {@link StoreException}.
 * </ul>
 */
public interface SessionStore {

  /**
   * Stores a new session unless its id is held by a session that has not expired.
   *
   * @return true if stored, false if the id is taken (the caller picks another id)
   */
  Future<Boolean> create(Session session);

  /** The session with this exact (normalised) id, or empty if absent or expired. */
  Future<Optional<Session>> get(String id);

  /** The unexpired sessions of one speaker, newest first. */
  Future<List<Session>> findBySpeaker(String speakerUserId);

  /**
   * Compare-and-set: replaces the stored session with {@code updated} only if the stored one still
   * has {@code expectedVersion} and has not expired. {@code updated.version()} must be {@code
   * expectedVersion + 1}.
   *
   * @return true if replaced, false if the session changed, expired or vanished meanwhile
   */
  Future<Boolean> replace(long expectedVersion, Session updated);

  /**
   * Deletes every session whose {@code expiresAt} is at or before {@code now}; returns how many. A
   * store whose entries expire by themselves (Redis) finds none left to delete and returns 0.
   */
  Future<Integer> purgeExpired(long now);

  /**
   * Takes the ids of sessions that expired without having ended (a store that deletes them in
   * {@link #purgeExpired} keeps their ids until this): each id is handed out once, to one caller,
   * across every node sharing the store, so that an expiry is reported once. Best effort: an expiry
   * can go unreported (a node stopped with ids taken, a failed write), never twice.
   */
  Future<List<String>> takeExpired(long now);

  /** Succeeds if the store can serve requests; used by the health check. */
  Future<Void> ping();

  /** Releases the store; pending writes are made durable first. */
  Future<Void> close();
}
