package org.pentecost.server.store;

import io.vertx.core.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import org.pentecost.server.session.RecordsRestored;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node writes again into Redis after its lease was found gone, in order: first the records
 * of the sessions it holds live connections for (a Redis restarted empty lost them), then its
 * listener counts, so that counts never name a session whose record is not back yet. The same runs
 * at every lease period for counts that failed to be written, and again for records that failed.
 *
 * <p>Runs are never concurrent: one asked for while another runs follows it.
 */
final class LeaseRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(LeaseRecovery.class);

  /** The counts written again: in how many sessions, how many listeners in all. */
  record Rewritten(int sessions, int listeners) {}

  private final Supplier<Future<Rewritten>> rewriteCounts;
  private final Supplier<String> member;
  private final AtomicBoolean running = new AtomicBoolean();
  private volatile boolean again;

  /** Writes the session records back; null when nothing does (counts only). */
  private volatile Supplier<Future<RecordsRestored>> restoreRecords;

  /** Lease losses so far, and how many of them the records were all checked after. */
  private final AtomicLong lost = new AtomicLong();

  private final AtomicLong recordsChecked = new AtomicLong();

  LeaseRecovery(Supplier<Future<Rewritten>> rewriteCounts, Supplier<String> member) {
    this.rewriteCounts = rewriteCounts;
    this.member = member;
  }

  void restoreRecordsWith(Supplier<Future<RecordsRestored>> restore) {
    this.restoreRecords = restore;
  }

  /** The lease was found gone and {@link #member} is a new incarnation. */
  void leaseLost() {
    lost.incrementAndGet();
    run();
  }

  /** Every lease period: whatever Redis may still lack. */
  void tick() {
    run();
  }

  private void run() {
    again = true; // before the check, so that a run ending meanwhile sees it
    if (!running.compareAndSet(false, true)) {
      return;
    }
    again = false;
    Supplier<Future<RecordsRestored>> restore = restoreRecords;
    long losses = lost.get();
    boolean restoring = restore != null && recordsChecked.get() < losses;
    Future<RecordsRestored> records =
        restoring ? start(restore) : Future.<RecordsRestored>succeededFuture(null);
    records
        .recover(
            e -> {
              LOG.warn("writing back the session records failed: {}", e.toString());
              return Future.succeededFuture(null);
            })
        .compose(
            r ->
                rewriteCounts
                    .get()
                    .map(
                        counts -> {
                          if (restoring && r != null) {
                            if (r.failed() == 0) {
                              recordsChecked.accumulateAndGet(losses, Math::max);
                            }
                            logged(r, counts);
                          }
                          return (Void) null;
                        }))
        .onComplete(
            ar -> {
              running.set(false);
              if (again) {
                run();
              }
            });
  }

  private static Future<RecordsRestored> start(Supplier<Future<RecordsRestored>> restore) {
    try {
      return restore.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private void logged(RecordsRestored r, Rewritten counts) {
    LOG.info(
        "lease lost: wrote back {} session records ({} already there, {} that could not be"
            + " written back ended here, {} to try again next period) and the listener counts of"
            + " {} sessions ({} listeners) as {}",
        r.written(),
        r.present(),
        r.ended(),
        r.failed(),
        counts.sessions(),
        counts.listeners(),
        member.get());
  }
}
