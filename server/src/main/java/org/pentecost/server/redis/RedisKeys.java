package org.pentecost.server.redis;

/**
 * Every Redis key Pentecost writes, in one place (the table in {@code docs/cluster.md} lists them
 * with their types and lifetimes). All start with the configured prefix. The keys of one session
 * carry its id as a hash tag ({@code {id}}) so that, in a Redis Cluster, they share one slot.
 */
public final class RedisKeys {
  private final String prefix;

  public RedisKeys(String prefix) {
    this.prefix = prefix;
  }

  public String prefix() {
    return prefix;
  }

  /** String: the session's JSON, expiring at its {@code expiresAt}. */
  public String session(String sessionId) {
    return prefix + "session:{" + sessionId + "}";
  }

  /** Hash {@code <member>|<language>} → count: each node's listeners of the session. */
  public String listeners(String sessionId) {
    return prefix + "listeners:{" + sessionId + "}";
  }

  /** Sorted set of a speaker's session ids, scored by their {@code expiresAt}. */
  public String speaker(String speakerUserId) {
    return prefix + "speaker:{" + speakerUserId + "}";
  }

  /**
   * Sorted set of the ids of sessions that have not ended, scored by their {@code expiresAt}: the
   * node that takes an expired one from it reports its expiry (webhook {@code session.ended}).
   */
  public String expiring() {
    return prefix + "sessions:expiring";
  }

  /** Set of the node members (node id and incarnation) that hold a lease. */
  public String nodes() {
    return prefix + "nodes";
  }

  /** String: the lease of one node member; its expiry is the member's death. */
  public String node(String member) {
    return prefix + "node:{" + member + "}";
  }

  /** Set of the session ids a node member has counted listeners in. */
  public String nodeSessions(String member) {
    return prefix + "node:{" + member + "}:sessions";
  }

  /** Hash {@code tokens}, {@code ts}: one token bucket. */
  public String rate(String limit, String key) {
    return prefix + "rate:" + limit + ":" + key;
  }

  /**
   * List of a stream's last frames (its shared replay window), and the pub/sub channel of the same
   * name that carries them live to the nodes with members of the stream.
   */
  public String audio(String sessionId, String language) {
    return prefix + "audio:{" + sessionId + "}:" + language;
  }

  /** List of the JSON lines of one language's transcript of a session record. */
  public String transcript(String sessionId, long createdAt, String language) {
    return prefix + "transcript:{" + sessionId + "}:" + createdAt + ":" + language;
  }

  /** Hash language → characters kept in the transcripts of a session record. */
  public String transcriptSizes(String sessionId, long createdAt) {
    return prefix + "transcript:{" + sessionId + "}:" + createdAt;
  }

  /** Hash of a session record's summary: listener time, peaks, audio published (by field). */
  public String summary(String sessionId, long createdAt) {
    return prefix + "summary:{" + sessionId + "}:" + createdAt;
  }

  /** Pub/sub channel of the events between nodes (streams, speakers, session status). */
  public String events() {
    return prefix + "events";
  }
}
