package org.pentecost.server.session;

import io.vertx.core.Future;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.pentecost.server.metrics.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions whose record the store lost while they were live (Redis restarted empty; a key evicted
 * or deleted): the nodes that hold their connections write the records back from what they kept,
 * and end the sessions they cannot write back for their own connections.
 *
 * <p>Every write is conditional ({@link SessionStore#create}, which stores only if the code is
 * free): two nodes writing back the same session store it once, and a record written meanwhile (a
 * newer version, or another session that took the code) is never overwritten. A node that finds
 * another session under the code ends its own for its connections; one that finds its session there
 * keeps the stored version as the newer one.
 */
public final class SessionRecovery implements Supplier<Future<RecordsRestored>> {
  private static final Logger LOG = LoggerFactory.getLogger(SessionRecovery.class);

  /** Records checked at a time, so that a node with many sessions does not flood the store. */
  private static final int BATCH = 64;

  private enum Outcome {
    WRITTEN,
    PRESENT,
    ENDED,
    FAILED
  }

  private final SessionStore store;
  private final Metrics metrics;
  private final Clock clock;
  private volatile LocalSessions local = LocalSessions.NONE;

  SessionRecovery(SessionStore store, Metrics metrics, Clock clock) {
    this.store = store;
    this.metrics = metrics;
    this.clock = clock;
  }

  /** The node's live sessions (the WebSocket gateway's rooms). */
  public void attach(LocalSessions sessions) {
    this.local = sessions;
  }

  LocalSessions local() {
    return local;
  }

  /** A record read or written through this node. */
  void seen(Session session) {
    local.seen(session);
  }

  /**
   * Writes back the record of every session live here that the store lacks, and ends for their
   * connections here those that cannot be written back. Never fails: a record the store failed on
   * counts as {@link RecordsRestored#failed}.
   */
  @Override
  public Future<RecordsRestored> get() {
    List<Session> records = local.records();
    int[] outcomes = new int[Outcome.values().length];
    return batches(records, 0, outcomes)
        .map(
            v -> {
              int written = outcomes[Outcome.WRITTEN.ordinal()];
              if (written > 0) {
                metrics.sessionsRestored(written);
              }
              return new RecordsRestored(
                  written,
                  outcomes[Outcome.PRESENT.ordinal()],
                  outcomes[Outcome.ENDED.ordinal()],
                  outcomes[Outcome.FAILED.ordinal()]);
            });
  }

  private Future<Void> batches(List<Session> records, int from, int[] outcomes) {
    if (from >= records.size()) {
      return Future.succeededFuture();
    }
    List<Future<Outcome>> batch = new ArrayList<>();
    for (int i = from; i < Math.min(records.size(), from + BATCH); i++) {
      batch.add(restore(records.get(i)));
    }
    return Future.join(batch)
        .transform(
            ar -> {
              batch.forEach(f -> outcomes[f.result().ordinal()]++);
              return batches(records, from + BATCH, outcomes);
            });
  }

  /** One session's record: written back, already there, ended here, or failed (never fails). */
  private Future<Outcome> restore(Session record) {
    if (record.isExpired(clock.millis())) {
      LOG.info("session {} expired while its record was lost; ending it here", record.id());
      local.endHere(record.id());
      return Future.succeededFuture(Outcome.ENDED);
    }
    return store
        .create(record)
        .compose(
            created -> {
              if (created) {
                return Future.succeededFuture(Outcome.WRITTEN);
              }
              return store.get(record.id()).map(found -> stored(record, found.orElse(null)));
            })
        .otherwise(
            e -> {
              LOG.debug("writing back session {} failed: {}", record.id(), e.toString());
              return Outcome.FAILED;
            });
  }

  /**
   * The code was taken when this node tried to write {@code record} back; {@code found} holds it.
   */
  private Outcome stored(Session record, Session found) {
    if (found == null) {
      return Outcome.FAILED; // taken, then gone again: look once more next period
    }
    if (found.sameSessionAs(record)) {
      local.seen(found);
      return Outcome.PRESENT;
    }
    LOG.warn(
        "session {} could not be written back: another session holds its code now; ending it for"
            + " its connections here",
        record.id());
    local.endHere(record.id());
    return Outcome.ENDED;
  }
}
