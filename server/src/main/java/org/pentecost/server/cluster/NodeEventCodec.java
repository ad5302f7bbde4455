package org.pentecost.server.cluster;

import io.vertx.core.json.JsonObject;
import org.pentecost.server.broadcast.AudioFormat;
import org.pentecost.server.cluster.NodeEvent.Caption;
import org.pentecost.server.cluster.NodeEvent.Manage;
import org.pentecost.server.cluster.NodeEvent.ManageOp;
import org.pentecost.server.cluster.NodeEvent.ManageReply;
import org.pentecost.server.cluster.NodeEvent.RetireConnection;
import org.pentecost.server.cluster.NodeEvent.SpeakerDropped;
import org.pentecost.server.cluster.NodeEvent.SpeakerJoined;
import org.pentecost.server.cluster.NodeEvent.SpeakerLeft;
import org.pentecost.server.cluster.NodeEvent.StatusChanged;
import org.pentecost.server.cluster.NodeEvent.StreamStarted;
import org.pentecost.server.cluster.NodeEvent.StreamStopped;
import org.pentecost.server.cluster.NodeEvent.SyncRequest;
import org.pentecost.server.cluster.NodeEvent.ToConnection;
import org.pentecost.server.session.SessionStatus;
import org.pentecost.server.util.InputExcerpt;

/**
 * A {@link NodeEvent} and the node that sent it ↔ the JSON text on the events channel. The one
 * place that knows the wire format:
 *
 * <pre>
 * {"type":"stream","state":"started","sessionId":..,"language":..,"audio":{codec,sampleRate,channels,frameMs}}
 * {"type":"stream","state":"stopped","sessionId":..,"language":..}
 * {"type":"speaker","state":"joined"|"dropped"|"left","sessionId":..}   dropped: "gracePeriodMs"
 * {"type":"status","sessionId":..,"status":"active"|"paused"|"ended"}
 * {"type":"sync","sessionId":..}
 * {"type":"retire","sessionId":..,"connectionId":..,"overlapMs":..}
 * {"type":"direct","sessionId":"","connectionId":..,"message":{..}}
 * {"type":"caption","sessionId":..,"language":..,"caption":{..}}
 * {"type":"manage","sessionId":"","requestId":..,"op":"post"|"info"|"close"|"broadcast"|"list","target":..,"args":{..}}
 * {"type":"manageReply","sessionId":"","requestId":..,"to":..,"result":{..}}
 * </pre>
 *
 * Every event also carries {@code "node"}, the sender's id; a repeat for a {@code sync} carries
 * {@code "resync":true}. Anything else is refused with {@link UnreadableEvent}.
 */
public final class NodeEventCodec {

  private NodeEventCodec() {}

  /** An event as received: who sent it, and what. */
  public record Received(String node, NodeEvent event) {}

  /** Text that is not an event of this format; nothing of it is applied. */
  public static final class UnreadableEvent extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    UnreadableEvent(String why, String text, Throwable cause) {
      super(why + ": " + InputExcerpt.of(text), cause);
    }
  }

  /** The text of {@code event}, sent by {@code node}. */
  public static String encode(String node, NodeEvent event) {
    JsonObject j = new JsonObject();
    if (event instanceof StreamStarted e) {
      j.put("type", "stream").put("state", "started");
      if (e.resync()) {
        j.put("resync", true);
      }
      j.put("sessionId", e.sessionId())
          .put("language", e.language())
          .put("audio", e.format().toJson());
    } else if (event instanceof StreamStopped e) {
      j.put("type", "stream")
          .put("state", "stopped")
          .put("sessionId", e.sessionId())
          .put("language", e.language());
    } else if (event instanceof SpeakerJoined e) {
      j.put("type", "speaker").put("state", "joined").put("sessionId", e.sessionId());
      if (e.resync()) {
        j.put("resync", true);
      }
    } else if (event instanceof SpeakerDropped e) {
      j.put("type", "speaker")
          .put("state", "dropped")
          .put("sessionId", e.sessionId())
          .put("gracePeriodMs", e.gracePeriodMs());
    } else if (event instanceof SpeakerLeft e) {
      j.put("type", "speaker").put("state", "left").put("sessionId", e.sessionId());
    } else if (event instanceof StatusChanged e) {
      j.put("type", "status").put("sessionId", e.sessionId()).put("status", e.status().wireName());
    } else if (event instanceof SyncRequest e) {
      j.put("type", "sync").put("sessionId", e.sessionId());
    } else if (event instanceof RetireConnection e) {
      j.put("type", "retire")
          .put("sessionId", e.sessionId())
          .put("connectionId", e.connectionId())
          .put("overlapMs", e.overlapMs());
    } else if (event instanceof ToConnection e) {
      j.put("type", "direct")
          .put("sessionId", "")
          .put("connectionId", e.connectionId())
          .put("message", e.message());
    } else if (event instanceof Caption e) {
      j.put("type", "caption")
          .put("sessionId", e.sessionId())
          .put("language", e.language())
          .put("caption", e.caption());
    } else if (event instanceof Manage e) {
      j.put("type", "manage")
          .put("sessionId", "")
          .put("requestId", e.requestId())
          .put("op", e.op().wire())
          .put("target", e.target())
          .put("args", e.args());
    } else if (event instanceof ManageReply e) {
      j.put("type", "manageReply")
          .put("sessionId", "")
          .put("requestId", e.requestId())
          .put("to", e.to())
          .put("result", e.result());
    } else {
      // Java 17 has no switch over a sealed type; NodeEventCodecTest covers every permitted one.
      throw new IllegalArgumentException("not a known event: " + event);
    }
    return j.put("node", node).encode();
  }

  /** The event in {@code text}; throws {@link UnreadableEvent} for anything else. */
  public static Received decode(String text) {
    JsonObject j;
    try {
      j = new JsonObject(text);
    } catch (RuntimeException e) {
      throw new UnreadableEvent("not a JSON object", text, e);
    }
    try {
      String node = text(j, "node");
      String type = text(j, "type");
      String sessionId = text(j, "sessionId");
      NodeEvent event =
          switch (type) {
            case "stream" -> stream(j, sessionId);
            case "speaker" -> speaker(j, sessionId);
            case "status" -> {
              SessionStatus status = SessionStatus.fromWire(text(j, "status"));
              if (status == null) {
                throw new IllegalArgumentException("unknown status");
              }
              yield new StatusChanged(sessionId, status);
            }
            case "sync" -> new SyncRequest(sessionId);
            case "retire" ->
                new RetireConnection(sessionId, text(j, "connectionId"), number(j, "overlapMs"));
            case "direct" -> new ToConnection(text(j, "connectionId"), object(j, "message"));
            case "caption" -> new Caption(sessionId, text(j, "language"), object(j, "caption"));
            case "manage" -> manage(j);
            case "manageReply" ->
                new ManageReply(text(j, "requestId"), text(j, "to"), object(j, "result"));
            default -> throw new IllegalArgumentException("unknown type");
          };
      return new Received(node, event);
    } catch (UnreadableEvent e) {
      throw e;
    } catch (RuntimeException e) {
      throw new UnreadableEvent("not an event (" + e.getMessage() + ")", text, e);
    }
  }

  private static NodeEvent stream(JsonObject j, String sessionId) {
    String language = text(j, "language");
    return switch (text(j, "state")) {
      case "started" ->
          new StreamStarted(
              sessionId, language, AudioFormat.fromJson(object(j, "audio")), flag(j, "resync"));
      case "stopped" -> new StreamStopped(sessionId, language);
      default -> throw new IllegalArgumentException("unknown stream state");
    };
  }

  private static NodeEvent manage(JsonObject j) {
    ManageOp op = ManageOp.fromWire(text(j, "op"));
    if (op == null) {
      throw new IllegalArgumentException("unknown op");
    }
    return new Manage(text(j, "requestId"), op, text(j, "target"), object(j, "args"));
  }

  private static NodeEvent speaker(JsonObject j, String sessionId) {
    return switch (text(j, "state")) {
      case "joined" -> new SpeakerJoined(sessionId, flag(j, "resync"));
      case "dropped" -> new SpeakerDropped(sessionId, number(j, "gracePeriodMs"));
      case "left" -> new SpeakerLeft(sessionId);
      default -> throw new IllegalArgumentException("unknown speaker state");
    };
  }

  private static String text(JsonObject j, String key) {
    if (j.getValue(key) instanceof String s) {
      return s;
    }
    throw new IllegalArgumentException("'" + key + "' must be a string");
  }

  private static long number(JsonObject j, String key) {
    if (j.getValue(key) instanceof Number n && n.longValue() == n.doubleValue()) {
      return n.longValue();
    }
    throw new IllegalArgumentException("'" + key + "' must be a whole number");
  }

  private static JsonObject object(JsonObject j, String key) {
    if (j.getValue(key) instanceof JsonObject o) {
      return o;
    }
    throw new IllegalArgumentException("'" + key + "' must be an object");
  }

  private static boolean flag(JsonObject j, String key) {
    Object v = j.getValue(key);
    if (v == null) {
      return false;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    throw new IllegalArgumentException("'" + key + "' must be true or false");
  }
}
