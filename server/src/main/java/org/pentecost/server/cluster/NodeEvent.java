package org.pentecost.server.cluster;

import io.vertx.core.json.JsonObject;
import java.util.Objects;
import org.pentecost.server.broadcast.AudioFormat;
import org.pentecost.server.session.SessionStatus;

/**
 * What one node tells the others: one record per event. The node that sent it travels beside it
 * (see {@link Broker#onEvent}); {@link NodeEventCodec} is the one place that turns an event into
 * the text on the events channel and back.
 */
public sealed interface NodeEvent
    permits NodeEvent.StreamStarted,
        NodeEvent.StreamStopped,
        NodeEvent.SpeakerJoined,
        NodeEvent.SpeakerDropped,
        NodeEvent.SpeakerLeft,
        NodeEvent.StatusChanged,
        NodeEvent.SyncRequest,
        NodeEvent.RetireConnection,
        NodeEvent.ToConnection,
        NodeEvent.Caption,
        NodeEvent.Manage,
        NodeEvent.ManageReply {

  /**
   * The sending node publishes {@code language} of the session now, in {@code format}; any other
   * publisher of it stops. {@code resync}: a repeat for a node that asked ({@link SyncRequest}),
   * which never takes the stream over from a publisher on the receiving node.
   */
  record StreamStarted(String sessionId, String language, AudioFormat format, boolean resync)
      implements NodeEvent {
    public StreamStarted {
      Objects.requireNonNull(sessionId);
      Objects.requireNonNull(language);
      Objects.requireNonNull(format);
    }
  }

  /** The sending node no longer publishes {@code language} of the session. */
  record StreamStopped(String sessionId, String language) implements NodeEvent {
    public StreamStopped {
      Objects.requireNonNull(sessionId);
      Objects.requireNonNull(language);
    }
  }

  /**
   * The session's speaker is connected to the sending node now ({@code resync}: a repeat, which
   * never displaces a speaker on the receiving node).
   */
  record SpeakerJoined(String sessionId, boolean resync) implements NodeEvent {
    public SpeakerJoined {
      Objects.requireNonNull(sessionId);
    }
  }

  /** The speaker's connection to the sending node dropped; its grace period runs there. */
  record SpeakerDropped(String sessionId, long gracePeriodMs) implements NodeEvent {
    public SpeakerDropped {
      Objects.requireNonNull(sessionId);
    }
  }

  /** The speaker left the sending node without a grace period (a drain, a session ended). */
  record SpeakerLeft(String sessionId) implements NodeEvent {
    public SpeakerLeft {
      Objects.requireNonNull(sessionId);
    }
  }

  /** The session's status changed through the sending node; receivers read it from the store. */
  record StatusChanged(String sessionId, SessionStatus status) implements NodeEvent {
    public StatusChanged {
      Objects.requireNonNull(sessionId);
      Objects.requireNonNull(status);
    }
  }

  /**
   * The sending node has its first connection of the session: the nodes that publish in it or hold
   * its speaker repeat their {@link StreamStarted} and {@link SpeakerJoined} (marked resync).
   */
  record SyncRequest(String sessionId) implements NodeEvent {
    public SyncRequest {
      Objects.requireNonNull(sessionId);
    }
  }

  /**
   * A listener on the sending node took the place of {@code connectionId} (a refresh): the node
   * that holds that connection gives up its place in the counts at once and closes it after {@code
   * overlapMs}.
   */
  record RetireConnection(String sessionId, String connectionId, long overlapMs)
      implements NodeEvent {
    public RetireConnection {
      Objects.requireNonNull(sessionId);
      Objects.requireNonNull(connectionId);
    }
  }

  /** A server message for one connection; the node that holds it delivers it. */
  record ToConnection(String connectionId, JsonObject message) implements NodeEvent {
    public ToConnection {
      Objects.requireNonNull(connectionId);
      Objects.requireNonNull(message);
    }
  }

  /** A caption published on the sending node, for the listeners of {@code language}. */
  record Caption(String sessionId, String language, JsonObject caption) implements NodeEvent {
    public Caption {
      Objects.requireNonNull(sessionId);
      Objects.requireNonNull(language);
      Objects.requireNonNull(caption);
    }
  }

  /** What a management call asks of another node (see {@link Manage}). */
  enum ManageOp {
    /** Send {@code args.text} to connection {@code target}. */
    POST,
    /** Describe connection {@code target}. */
    INFO,
    /** Close connection {@code target} (4004). */
    CLOSE,
    /** Send {@code args.text} to the matching connections of session {@code target}. */
    BROADCAST,
    /** List connections of session {@code target} after {@code args.cursor}, {@code args.limit}. */
    LIST;

    public String wire() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The op of a wire name, or null. */
    public static ManageOp fromWire(String wire) {
      for (ManageOp op : values()) {
        if (op.wire().equals(wire)) {
          return op;
        }
      }
      return null;
    }
  }

  /**
   * A management API call the sending node needs another node to carry out: on a connection it does
   * not hold ({@code target} is the connection id; only the node whose tag the id carries answers),
   * or on a session's connections everywhere ({@code target} is the session id; every node
   * answers). The answer is a {@link ManageReply} to the sender with the same {@code requestId}.
   */
  record Manage(String requestId, ManageOp op, String target, JsonObject args)
      implements NodeEvent {
    public Manage {
      Objects.requireNonNull(requestId);
      Objects.requireNonNull(op);
      Objects.requireNonNull(target);
      Objects.requireNonNull(args);
    }
  }

  /**
   * The answer to the {@link Manage} call {@code requestId} of node {@code to}; others ignore it.
   */
  record ManageReply(String requestId, String to, JsonObject result) implements NodeEvent {
    public ManageReply {
      Objects.requireNonNull(requestId);
      Objects.requireNonNull(to);
      Objects.requireNonNull(result);
    }
  }
}
