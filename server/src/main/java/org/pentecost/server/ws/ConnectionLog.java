package org.pentecost.server.ws;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.vertx.core.http.ServerWebSocket;
import java.net.InetAddress;
import java.util.List;
import org.pentecost.protocol.CloseCode;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.protocol.Messages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a WebSocket connection leaves for operators: one access line when it ends (who, where, how
 * long, how it closed, what it was sent), one line per refresh with the old and new ids, one line
 * and a count by code per refused connection ({@code pentecost_ws_rejections_total{code}}), and the
 * gauge of sessions live on this node ({@code pentecost_sessions_live}). Lines go to the {@code
 * pentecost.access} logger, beside the HTTP requests', with {@code event=ws}.
 */
final class ConnectionLog {
  private static final Logger ACCESS = LoggerFactory.getLogger("pentecost.access");

  private final MeterRegistry meters;

  ConnectionLog(MeterRegistry meters, ConnectionRegistry registry) {
    this.meters = meters;
    Gauge.builder("pentecost.sessions.live", registry, r -> r.rooms().size())
        .description("Sessions this node holds live state for: connections, or a speaker's grace")
        .register(meters);
  }

  /** The access line of a connection that ended; on its own event loop, after its clean-up. */
  static void ended(Connection c) {
    if (!ACCESS.isInfoEnabled()) {
      return;
    }
    ServerWebSocket ws = c.socket;
    CloseCode server = c.closedWith;
    Short peer = ws.closeStatusCode();
    int code = server != null ? server.code() : peer != null ? peer : 1006;
    String reason = server != null ? c.closeReason : peer != null ? ws.closeReason() : "";
    String by = server != null ? "server" : code != 1006 ? "client" : "network";
    long millis = System.currentTimeMillis() - c.connectedAt;
    long audioFrames = c.out.framesOut();
    long bytes = c.out.bytesOut() + c.textBytesOut.get();
    ACCESS.info(
        "ws closed {} {} {} {} {} {}",
        kv("role", c.role.wire()),
        kv("connectionId", c.id),
        kv("sessionId", c.sessionId),
        kv("closeCode", code),
        kv("closedBy", by),
        kv("durationMs", millis),
        kv("event", "ws"),
        kv("language", c.language),
        kv("remote", c.clientIp.getHostAddress()),
        kv("closeReason", reason == null ? "" : reason),
        kv("audioFramesOut", audioFrames),
        kv("textFramesOut", c.textOut.get()),
        kv("framesOut", audioFrames + c.textOut.get()),
        kv("bytesOut", bytes));
  }

  /** A refresh: {@code c} took over from {@code previousId} (here, or on another node). */
  static void refreshed(String previousId, Connection c, boolean elsewhere) {
    ACCESS.info(
        "ws refresh {} {} {}",
        kv("previousConnectionId", previousId),
        kv("connectionId", c.id),
        kv("sessionId", c.sessionId),
        kv("event", "ws-refresh"),
        kv("role", c.role.wire()),
        kv("previousOnThisNode", !elsewhere),
        kv("remote", c.clientIp.getHostAddress()));
  }

  /** A connection refused at admission: counted by code, and one access line. */
  void rejected(ServerWebSocket ws, InetAddress ip, ErrorCode error, CloseCode close, long since) {
    Counter.builder("pentecost.ws.rejections")
        .description("WebSocket connections refused at admission, by error code")
        .tag("code", error.name())
        .register(meters)
        .increment();
    if (!ACCESS.isInfoEnabled()) {
      return;
    }
    List<String> role =
        new QueryStringDecoder("?" + (ws.query() == null ? "" : ws.query()))
            .parameters()
            .getOrDefault(Messages.Q_ROLE, List.of("listener"));
    ACCESS.info(
        "ws refused {} {} {}",
        kv("code", error.name()),
        kv("closeCode", close.code()),
        kv("role", role.get(0)),
        kv("event", "ws-rejected"),
        kv("remote", ip == null ? "-" : ip.getHostAddress()),
        kv("durationMs", System.currentTimeMillis() - since));
  }
}
