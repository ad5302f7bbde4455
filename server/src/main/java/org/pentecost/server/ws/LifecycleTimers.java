package org.pentecost.server.ws;

import io.vertx.core.Vertx;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.pentecost.protocol.CloseCode;
import org.pentecost.protocol.Messages;
import org.pentecost.server.config.PentecostConfig;
import org.pentecost.server.session.SessionService;

/**
 * Two periodic ticks for all connections of the node, instead of timers per connection: the
 * lifecycle sweep (idle timeout, refresh request, warning, maximum duration) and the coalesced
 * {@code listenerStats} to speakers (at most one per interval, only on change). Notices are written
 * from the tick; closes run on the connection's own event loop.
 */
final class LifecycleTimers {
  private final Vertx vertx;
  private final ConnectionRegistry registry;
  private final SessionService sessions;
  private final PentecostConfig.Connections config;
  private long sweepTimer = -1;
  private long statsTimer = -1;

  /**
   * Counts kept in a store shared with other nodes (Redis) also change where this node cannot see
   * it: rooms with a speaker or worker here are polled every interval (still sent only on change).
   */
  private final boolean sharedCounts;

  LifecycleTimers(
      Vertx vertx,
      ConnectionRegistry registry,
      SessionService sessions,
      PentecostConfig.Connections config,
      boolean sharedCounts) {
    this.vertx = vertx;
    this.sharedCounts = sharedCounts;
    this.registry = registry;
    this.sessions = sessions;
    this.config = config;
  }

  void start() {
    sweepTimer =
        vertx.setPeriodic(
            config.sweepInterval().toMillis(), t -> sweep(System.currentTimeMillis()));
    statsTimer = vertx.setPeriodic(config.statsInterval().toMillis(), t -> stats());
  }

  void stop() {
    vertx.cancelTimer(sweepTimer);
    vertx.cancelTimer(statsTimer);
  }

  void sweep(long now) {
    long idle = config.idleTimeout().toMillis();
    long refreshAt = config.refreshAt().toMillis();
    long warnAt = config.warnAt().toMillis();
    long max = config.maxDuration().toMillis();
    for (Connection c : registry.connections()) {
      long age = now - c.connectedAt;
      if (now - c.lastActive >= idle) {
        c.context.runOnContext(v -> c.close(CloseCode.IDLE_TIMEOUT, "idle for too long"));
      } else if (age >= max) {
        c.context.runOnContext(
            v -> c.close(CloseCode.MAX_DURATION, "maximum connection duration reached"));
      } else if (age >= warnAt && !c.warned) {
        c.warned = true;
        c.send(
            WsMessages.of(Messages.CONNECTION_WARNING)
                .put("connectionId", c.id)
                .put("closesInMs", max - age)
                .put("message", "this connection closes soon; refresh it now"));
      } else if (age >= refreshAt && !c.refreshRequested) {
        c.refreshRequested = true;
        c.send(refreshRequired(c, max - age));
      }
    }
  }

  static io.vertx.core.json.JsonObject refreshRequired(Connection c, long closesInMs) {
    return WsMessages.of(Messages.CONNECTION_REFRESH_REQUIRED)
        .put("connectionId", c.id)
        .put("closesInMs", closesInMs)
        .put("refreshQuery", c.refreshQuery());
  }

  private void stats() {
    for (SessionRoom room : registry.rooms()) {
      if (!room.statsDirty
          && !(sharedCounts && (room.speaker() != null || !room.workers().isEmpty()))) {
        continue;
      }
      room.statsDirty = false;
      sessions
          .counts(room.sessionId)
          .onSuccess(
              now -> {
                Map<String, Integer> before = room.lastStats;
                if (now.equals(before)) {
                  return;
                }
                room.lastStats = now;
                String stats = listenerStats(room.sessionId, before, now).encode();
                Connection speaker = room.speaker();
                if (speaker != null) {
                  speaker.sendText(stats);
                }
                room.workers().forEach(w -> w.sendText(stats));
              })
          .onFailure(e -> room.statsDirty = true);
    }
  }

  /**
   * Counts, plus the demand signals: languages that gained their first or lost their last listener.
   */
  static io.vertx.core.json.JsonObject listenerStats(
      String sessionId, Map<String, Integer> before, Map<String, Integer> now) {
    Set<String> gained = new HashSet<>(now.keySet());
    gained.removeAll(before.keySet());
    Set<String> lost = new HashSet<>(before.keySet());
    lost.removeAll(now.keySet());
    return WsMessages.counts(
            WsMessages.of(Messages.LISTENER_STATS).put("sessionId", sessionId), now)
        .put("languagesGained", new io.vertx.core.json.JsonArray(gained.stream().sorted().toList()))
        .put("languagesLost", new io.vertx.core.json.JsonArray(lost.stream().sorted().toList()));
  }
}
