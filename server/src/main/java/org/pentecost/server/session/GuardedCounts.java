package org.pentecost.server.session;

import io.vertx.core.Future;
import java.util.Map;

/**
 * The listener counts as the WebSocket gateway uses them: the same store, with the deadline,
 * metrics and 503 of the session service's own store calls.
 */
final class GuardedCounts implements ListenerCountStore {
  private final SessionService service;
  private final ListenerCountStore counts;

  GuardedCounts(SessionService service, ListenerCountStore counts) {
    this.service = service;
    this.counts = counts;
  }

  @Override
  public Future<Boolean> tryAdd(String sessionId, String language, int capacity) {
    return service.call("tryAdd", () -> counts.tryAdd(sessionId, language, capacity));
  }

  @Override
  public Future<Void> remove(String sessionId, String language) {
    return service.call("remove", () -> counts.remove(sessionId, language));
  }

  @Override
  public Future<Void> move(String sessionId, String fromLanguage, String toLanguage) {
    return service.call("move", () -> counts.move(sessionId, fromLanguage, toLanguage));
  }

  @Override
  public Future<Map<String, Integer>> counts(String sessionId) {
    return service.counts(sessionId);
  }

  @Override
  public Future<Void> clear(String sessionId) {
    return service.call("clear", () -> counts.clear(sessionId));
  }

  @Override
  public void onDemandChange(DemandListener listener) {
    counts.onDemandChange(listener);
  }
}
