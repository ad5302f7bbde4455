package org.pentecost.server.backend;

import io.vertx.core.json.JsonObject;

/**
 * Where this node reports the events a backend subscribes to with {@code backend.webhooks}. Each
 * event is reported by exactly one node of a cluster: the one where it happened. Reporting never
 * waits: the event joins a bounded queue and is delivered later (see {@link WebhookDispatcher}).
 *
 * <p>Callers check {@link #enabled()} before building an event's data, so that a node without
 * webhooks allocates nothing for them ({@link #NONE}).
 */
public interface Webhooks {
  /** No webhook configured: nothing is reported, nothing allocated. */
  Webhooks NONE =
      new Webhooks() {
        @Override
        public boolean enabled() {
          return false;
        }

        @Override
        public void emit(String type, String sessionId, JsonObject data) {}
      };

  /** Whether anything receives the events. */
  boolean enabled();

  /**
   * Reports one event ({@link WebhookEvent}'s type names) of {@code sessionId} with {@code data};
   * returns at once, from any thread.
   */
  void emit(String type, String sessionId, JsonObject data);
}
