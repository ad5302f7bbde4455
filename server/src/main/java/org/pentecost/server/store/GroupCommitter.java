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
import org.h2.mvstore.MVStore;
import org.pentecost.server.error.StoreException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for an MVStore with auto-commit disabled: writers change the maps themselves, then
 * wait here; one daemon thread takes every waiting write, commits once, and completes their futures
 * on their own contexts. Only this thread ever writes the file.
 */
final class GroupCommitter {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommitter.class);
  private static final long HOUSEKEEPING_NANOS = TimeUnit.MINUTES.toNanos(1);

  /** A write waiting for its commit; {@code close} marks the last entry ever queued. */
  private record Waiter(Context context, Promise<Object> promise, Object value, boolean close) {}

  private final MVStore store;
  private final Path file;
  private final BlockingQueue<Waiter> waiting = new LinkedBlockingQueue<>();
  private final Object enqueueLock = new Object();
  private final Promise<Void> closed = Promise.promise();
  private final AtomicLong commits = new AtomicLong();
  private boolean accepting = true; // guarded by enqueueLock

  GroupCommitter(MVStore store, Path file) {
    this.store = store;
    this.file = file;
  }

  void start() {
    Thread thread = new Thread(this::run, "pentecost-store-commit");
    thread.setDaemon(true);
    thread.start();
  }

  /**
   * A future of {@code value} that completes on {@code context} once a commit started after this
   * call has reached the file, so it covers every map change the caller made before calling.
   */
  @SuppressWarnings("unchecked")
  <T> Future<T> afterCommit(Context context, T value) {
    Promise<Object> promise = Promise.promise();
    synchronized (enqueueLock) {
      if (!accepting) {
        return Future.failedFuture(new StoreException("session store " + file + " is closed"));
      }
      waiting.add(new Waiter(context, promise, value, false));
    }
    return (Future<T>) promise.future();
  }

  boolean isOpen() {
    synchronized (enqueueLock) {
      return accepting && !store.isClosed();
    }
  }

  /** Commits what is queued, closes the store; later writes fail. Idempotent. */
  Future<Void> close(Context context) {
    synchronized (enqueueLock) {
      if (accepting) {
        accepting = false;
        waiting.add(new Waiter(null, null, null, true));
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
    boolean closing = false;
    while (!closing) {
      try {
        Waiter first = waiting.poll(HOUSEKEEPING_NANOS, TimeUnit.NANOSECONDS);
        if (first != null) {
          batch.add(first);
          waiting.drainTo(batch);
          closing = batch.stream().anyMatch(Waiter::close);
          StoreException failure = commit();
          for (Waiter w : batch) {
            if (!w.close()) {
              onContext(w.context(), () -> complete(w, failure));
            }
          }
          batch.clear();
        }
        if (!closing && System.nanoTime() - lastHousekeeping >= HOUSEKEEPING_NANOS) {
          housekeeping();
          lastHousekeeping = System.nanoTime();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        closing = true;
      }
    }
    try {
      store.close();
      closed.complete();
    } catch (RuntimeException e) {
      closed.fail(new StoreException("session store " + file + " did not close cleanly: " + e, e));
    }
  }

  private StoreException commit() {
    try {
      store.commit();
      // after a panic MVStore closes itself, and commit() then returns without writing anything
      if (store.getPanicException() != null || store.isClosed()) {
        return new StoreException(
            "session store " + file + " failed: " + store.getPanicException(),
            store.getPanicException());
      }
      commits.incrementAndGet();
      return null;
    } catch (Throwable e) { // anything escaping would end this thread and hang every write
      LOG.error("session store commit failed on {}", file, e);
      return new StoreException("session store commit failed: " + e.getMessage(), e);
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

  /** With auto-commit off MVStore never compacts by itself: rewrite sparse chunks now and then. */
  private void housekeeping() {
    try {
      if (store.compact(50, 4 << 20) && store.hasUnsavedChanges()) {
        store.commit();
      }
    } catch (RuntimeException e) {
      LOG.warn("session store compaction failed on {}", file, e);
    }
  }
}
