package org.pentecost.server.ws;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.pentecost.server.broadcast.AudioFormat;

/**
 * What this node knows of the other nodes' part in each session: which languages they publish (with
 * their formats and the node of each), where the speaker is, whether it dropped there. It is kept
 * by {@link InboundEvents} from what the other nodes say, and by {@link OutboundEvents} when this
 * node takes a stream or the speaker over. With a {@link org.pentecost.server.cluster.LocalBroker}
 * nothing arrives, so nothing is known: every answer is "not elsewhere".
 */
final class RemoteStreams {
  private final Map<String, Remote> sessions = new ConcurrentHashMap<>();

  /** One session's state elsewhere; guarded by itself. */
  private static final class Remote {
    String speakerNode;
    boolean speakerAway;
    final Map<String, Stream> streams = new HashMap<>();
  }

  private record Stream(String node, AudioFormat format) {}

  // ---- questions

  /** The format of {@code language} published on another node, or null. */
  AudioFormat format(String sessionId, String language) {
    Remote r = sessions.get(sessionId);
    if (r == null) {
      return null;
    }
    synchronized (r) {
      Stream s = r.streams.get(language);
      return s == null ? null : s.format();
    }
  }

  /** The languages other nodes publish in a session. */
  Set<String> languages(String sessionId) {
    Remote r = sessions.get(sessionId);
    if (r == null) {
      return Set.of();
    }
    synchronized (r) {
      return Set.copyOf(r.streams.keySet());
    }
  }

  boolean speakerConnected(String sessionId) {
    Remote r = sessions.get(sessionId);
    if (r == null) {
      return false;
    }
    synchronized (r) {
      return r.speakerNode != null;
    }
  }

  // ---- this node takes over

  /** A connection here publishes {@code language} now: no other node does any more. */
  void publishedHere(String sessionId, String language) {
    Remote r = sessions.get(sessionId);
    if (r != null) {
      synchronized (r) {
        r.streams.remove(language);
      }
    }
  }

  /**
   * The speaker connected here: it is nowhere else now. True if listeners here were told it had
   * dropped elsewhere.
   */
  boolean speakerJoinedHere(String sessionId) {
    Remote r = sessions.get(sessionId);
    if (r == null) {
      return false;
    }
    synchronized (r) {
      boolean wasAway = r.speakerAway;
      r.speakerAway = false;
      r.speakerNode = null;
      return wasAway;
    }
  }

  // ---- what other nodes said

  /**
   * {@code node} publishes {@code language} in {@code format}; returns the format it was published
   * in elsewhere until now, or null.
   */
  AudioFormat startedThere(String sessionId, String language, String node, AudioFormat format) {
    Remote r = remote(sessionId);
    synchronized (r) {
      Stream previous = r.streams.put(language, new Stream(node, format));
      return previous == null ? null : previous.format();
    }
  }

  /**
   * {@code node} stopped publishing {@code language}: forgotten, and true, if it was the node known
   * to publish it; false if the news is stale (another node took the stream over since).
   */
  boolean stoppedThere(String sessionId, String language, String node) {
    Remote r = sessions.get(sessionId);
    if (r == null) {
      return false;
    }
    synchronized (r) {
      Stream s = r.streams.get(language);
      if (s == null || !s.node().equals(node)) {
        return false;
      }
      r.streams.remove(language);
      return true;
    }
  }

  /** The speaker is on {@code node} now; true if it was known to have dropped. */
  boolean speakerJoinedThere(String sessionId, String node) {
    Remote r = remote(sessionId);
    synchronized (r) {
      boolean wasAway = r.speakerAway;
      r.speakerAway = false;
      r.speakerNode = node;
      return wasAway;
    }
  }

  /**
   * The speaker dropped from {@code node}; true if that is where it was (it is away now), false if
   * it has moved on since.
   */
  boolean speakerDroppedThere(String sessionId, String node) {
    Remote r = remote(sessionId);
    synchronized (r) {
      if (!node.equals(r.speakerNode)) {
        return false;
      }
      r.speakerNode = null;
      r.speakerAway = true;
      return true;
    }
  }

  /** The speaker left {@code node} (without a grace period). */
  void speakerLeftThere(String sessionId, String node) {
    Remote r = remote(sessionId);
    synchronized (r) {
      if (node.equals(r.speakerNode)) {
        r.speakerNode = null;
      }
    }
  }

  /** The session ended: nothing of it is kept. */
  void forget(String sessionId) {
    sessions.remove(sessionId);
  }

  private Remote remote(String sessionId) {
    return sessions.computeIfAbsent(sessionId, k -> new Remote());
  }
}
