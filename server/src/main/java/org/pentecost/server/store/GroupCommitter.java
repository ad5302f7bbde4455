package org.pentecost.server.store;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.pentecost.server.error.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for an MVStore with auto-commit disabled: writers change the maps themselves, then
 * wait here; one daemon thread takes every waiting write, commits once, records the commit in the
 * {@link CommitLog}, and completes their futures on their own contexts. Only this thread ever
 * writes the file.
 *
 * <p>When a commit fails (a full disk), MVStore closes itself. This thread then logs it once, opens
 * the file again so that what was committed stays readable, and refuses writes at once (503) until,
 * checking every second, a small test write succeeds: then writes go on without a restart. Changes
 * made in memory by the failed writes are dropped with the closed store; none of them was
 * acknowledged.
 */
final class GroupCommitter {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);

  /**
   * How often the file is compacted, and how much each round may rewrite. Every commit rewrites the
   * leaf pages it touched into a new chunk (random session codes touch a different leaf each), so
   * the file grows by several KB per created session unless sparse chunks are rewritten as fast: 1
   * MB every 250 ms keeps it at about 1 KB per session under a sustained create load
   * (docs/benchmarks.md), in slices short enough not to hold up the commits queued behind them.
   */
  private static final long HOUSEKEEPING_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  private static final int COMPACT_FILL_RATE = 70;
  private static final int COMPACT_BYTES = 1 << 20;

  private long syncedAt = -1; // the commit count at the last sync (commit thread only)
  private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

  /** A write waiting for its commit; {@code close} marks the last entry ever queued. */
  private record Waiter(
      Context context,
      Promise<Object> promise,
      Object value,
      StoreFile target,
      CommitLog.Change change,
      boolean close) {}

  private final Path file;
  private final CommitLog log;
  private final BlockingQueue<Waiter> waiting = new LinkedBlockingQueue<>();
  private final Object enqueueLock = new Object();
  private final Promise<Void> closed = Promise.promise();
  private final AtomicLong commits = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();
  private boolean accepting = true; // guarded by enqueueLock
  private volatile StoreFile current;
  private volatile StoreException outage; // set while writes are refused
  private long outageSince; // this thread only
  private long loggedVersion = -1; // this thread only

  GroupCommitter(StoreFile opened, CommitLog log) {
    this.file = opened.path;
    this.current = opened;
    this.log = log;
  }

  void start() {
    Thread thread = new Thread(this::run, "pentecost-store-commit");
    thread.setDaemon(true);
    thread.start();
  }

  /** The open file, to read from. While writes are refused, it holds what was committed. */
  StoreFile forReading() {
    return current;
  }

  /**
   * The open file, to change, then to pass to {@link #afterCommit}.
   *
   * @throws StoreException at once while writes are refused
   */
  StoreFile forWriting() {
    StoreFile s = current;
    if (outage != null || !s.writable) {
      refused.incrementAndGet();
      throw outageOrClosed();
    }
    return s;
  }

  /** {@code e} as the store's failure: marked as logged already while writes are refused. */
  StoreException failure(String operation, Throwable e) {
    if (e instanceof StoreException s) {
      return s;
    }
    StoreException o = outage;
    if (o != null) {
      return StoreException.alreadyLogged(o.getMessage(), o.getCause());
    }
    return new StoreException("session store " + operation + " failed: " + e.getMessage(), e);
  }

  /**
   * A future of {@code value} that completes on {@code context} once a commit started after this
   * call has reached the file, so it covers every change the caller made to {@code target} before
   * calling. It fails if {@code target} was given up meanwhile (its changes with it).
   *
   * @param change the session written, for the commit log; null for none
   */
  @SuppressWarnings("unchecked")
  <T> Future<T> afterCommit(Context context, T value, StoreFile target, CommitLog.Change change) {
    Promise<Object> promise = Promise.promise();
    synchronized (enqueueLock) {
      if (!accepting) {
        return Future.failedFuture(new StoreException("session store " + file + " is closed"));
      }
      waiting.add(new Waiter(context, promise, value, target, change, false));
    }
    return (Future<T>) promise.future();
  }

  /** True while a failed write keeps writes refused (see the class comment). */
  boolean refusingWrites() {
    return outage != null;
  }

  /** Null if the store can serve requests, else why not. */
  StoreException unavailable() {
    StoreException o = outage;
    if (o != null) {
      return StoreException.alreadyLogged(o.getMessage(), o.getCause());
    }
    synchronized (enqueueLock) {
      if (accepting && !current.isClosed()) {
        return null;
      }
    }
    return new StoreException("session store " + file + " is closed");
  }

  /** Commits what is queued, closes the store; later writes fail. Idempotent. */
  Future<Void> close(Context context) {
    synchronized (enqueueLock) {
      if (accepting) {
        accepting = false;
        waiting.add(new Waiter(null, null, null, null, null, true));
      }
    }
    Promise<Void> result = Promise.promise();
    closed.future().onComplete(ar -> onContext(context, () -> result.handle(ar)));
    return result.future();
  }

  long commitCount() {
    return commits.get();
  }

  private void run() {
    List<Waiter> batch = new ArrayList<>();
    long lastHousekeeping = System.nanoTime();
    long lastTry = System.nanoTime();
    boolean closing = false;
    while (!closing) {
      try {
        Waiter first =
            waiting.poll(outage != null ? RETRY_NANOS : HOUSEKEEPING_NANOS, TimeUnit.NANOSECONDS);
        if (first != null) {
          batch.add(first);
          waiting.drainTo(batch);
          closing = batch.stream().anyMatch(Waiter::close);
          commitBatch(batch);
          batch.clear();
        }
        if (closing) {
          break;
        }
        if (outage != null) {
          if (System.nanoTime() - Math.max(lastTry, outageSince) >= RETRY_NANOS) {
            tryToWriteAgain();
            lastTry = System.nanoTime();
          }
        } else if (System.nanoTime() - lastHousekeeping >= HOUSEKEEPING_NANOS) {
          housekeeping();
          lastHousekeeping = System.nanoTime();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        closing = true;
      }
    }
    closeStore();
  }

  private void commitBatch(List<Waiter> batch) {
    StoreFile target = current;
    StoreException failure = outage;
    if (failure == null) {
      List<CommitLog.Change> changes = new ArrayList<>();
      for (Waiter w : batch) {
        if (w.target() == target && w.change() != null) {
          changes.add(w.change());
        }
      }
      failure = commitAndLog(target, changes);
    }
    for (Waiter w : batch) {
      if (!w.close()) {
        // a waiter whose file was given up lost its change with it
        StoreException f = failure != null || w.target() == target ? failure : outageOrClosed();
        onContext(w.context(), () -> complete(w, f));
      }
    }
  }

  /** Commits; null if the commit reached the file. A failure starts an outage. */
  private StoreException commitAndLog(StoreFile target, List<CommitLog.Change> changes) {
    try {
      target.commit();
    } catch (Throwable e) { // anything escaping would end this thread and hang every write
      beginOutage(e, target);
      return outageOrClosed();
    }
    commits.incrementAndGet();
    long version = target.version();
    if (version == loggedVersion && changes.isEmpty()) {
      return null; // nothing was written (the last batch at close, say)
    }
    try {
      log.append(version, target.count(), changes);
      loggedVersion = version;
    } catch (Throwable e) {
      // the commit itself reached the file and is answered; later writes wait for the log
      beginOutage(e, target);
    }
    return null;
  }

  private StoreException outageOrClosed() {
    StoreException o = outage;
    return o != null
        ? StoreException.alreadyLogged(o.getMessage(), o.getCause())
        : new StoreException("session store " + file + " was reopened; retry");
  }

  private void beginOutage(Throwable e, StoreFile failed) {
    String reason = StoreErrors.reason(e);
    outage = StoreException.alreadyLogged("session store " + file + " cannot write: " + reason, e);
    outageSince = System.nanoTime();
    refused.set(0);
    failed.writable = false;
    failed.closeImmediately();
    String text =
        "session store {} cannot write: {}. Writes answer 503 and /health reports unhealthy"
            + " until it can; sessions already written stay readable. Checking every second;"
            + " no restart needed once there is room again";
    if (StoreErrors.isDiskFull(e)) {
      LOG.error(text, file, reason);
    } else {
      LOG.error(text, file, reason, e);
    }
    reopenForReading();
  }

  /** Opens the file again for reads; while even that fails, reads fail too. */
  private void reopenForReading() {
    try {
      StoreFile s = StoreFile.open(file);
      s.writable = false;
      current = s;
    } catch (RuntimeException e) {
      LOG.debug("session store {} cannot be opened yet: {}", file, StoreErrors.reason(e));
    }
  }

  private void tryToWriteAgain() {
    StoreFile s = current;
    try {
      if (s.isClosed()) {
        s = StoreFile.open(file);
        s.writable = false;
        current = s;
      }
      s.probe();
      s.repairIndex(); // the failed commit may have left the two maps one entry apart
      log.start(s.version(), s.count());
      loggedVersion = s.version();
    } catch (Throwable e) {
      LOG.debug("session store {} still cannot write: {}", file, StoreErrors.reason(e));
      s.closeImmediately();
      reopenForReading();
      return;
    }
    s.writable = true;
    outage = null;
    LOG.info(
        "session store {} writes again, {} s after it could not; {} writes were refused meanwhile",
        file,
        TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - outageSince),
        refused.get());
  }

  private void closeStore() {
    StoreFile s = current;
    try {
      if (outage == null) {
        s.close();
      } else {
        s.closeImmediately();
      }
      closed.complete();
    } catch (RuntimeException e) {
      closed.fail(new StoreException("session store " + file + " did not close cleanly: " + e, e));
    } finally {
      try {
        log.close();
      } catch (Exception e) {
        LOG.warn("commit log {} did not close cleanly: {}", log.path(), e.toString());
      }
    }
  }

  /** Runs {@code action} on {@code context}, or right here once Vert.x no longer takes tasks. */
  private static void onContext(Context context, Runnable action) {
    try {
      context.runOnContext(v -> action.run());
    } catch (RuntimeException rejected) {
      action.run();
    }
  }

  private static void complete(Waiter w, StoreException failure) {
    if (failure == null) {
      w.promise().complete(w.value());
    } else {
      w.promise().fail(failure);
    }
  }

  /** With auto-commit off MVStore never compacts by itself: rewrite sparse chunks as we go. */
  private void housekeeping() {
    StoreFile s = current;
    try {
      long committed = commits.get();
      if (committed != syncedAt) {
        // Commits are answered once written, not synced; syncing each round bounds what a power
        // cut can lose to this interval, and keeps every chunk MVStore frees (after its 1 s
        // retention) replaced by one already on the disk.
        s.store.sync();
        syncedAt = committed;
      }
      if (s.store.compact(COMPACT_FILL_RATE, COMPACT_BYTES) && s.store.hasUnsavedChanges()) {
        commitAndLog(s, List.of());
      }
    } catch (RuntimeException e) {
      if (s.isClosed()) {
        beginOutage(e, s);
      } else {
        LOG.warn("session store compaction failed on {}", file, e);
      }
    }
  }
}
