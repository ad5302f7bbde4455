package org.pentecost.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.status.ErrorStatus;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The log's appender: lines to standard output (or error), written through a buffer that a
 * background thread flushes every {@code flushMillis} (100 ms by default), and at once after a line
 * of level WARN or above, and at shutdown. Logback's {@code ConsoleAppender} writes each line with
 * a system call of its own, on the thread that logs it: with one access line per request, that was
 * a measurable share of the event loop's time (docs/benchmarks.md). So an INFO line reaches the
 * output up to {@code flushMillis} after it was logged, and a {@code kill -9} may lose the INFO
 * lines of the last {@code flushMillis}; warnings and errors are never held back.
 */
public final class BufferedConsoleAppender extends OutputStreamAppender<ILoggingEvent> {
  private String target = "System.out";
  private long flushMillis = 100;
  private int bufferBytes = 64 * 1024;
  private ScheduledExecutorService flusher;

  /** The started instances, for {@link #flushAll}. */
  private static final Set<BufferedConsoleAppender> STARTED = new CopyOnWriteArraySet<>();

  /** Writes out every instance's buffer: call before the process ends (shutdown, exit). */
  public static void flushAll() {
    for (BufferedConsoleAppender appender : STARTED) {
      appender.flush();
    }
  }

  /** {@code System.out} (the default) or {@code System.err}. */
  public void setTarget(String target) {
    this.target = target;
  }

  public void setFlushMillis(long flushMillis) {
    this.flushMillis = flushMillis;
  }

  public void setBufferBytes(int bufferBytes) {
    this.bufferBytes = bufferBytes;
  }

  @Override
  public void start() {
    FileDescriptor fd =
        "System.err".equalsIgnoreCase(target.trim()) ? FileDescriptor.err : FileDescriptor.out;
    setOutputStream(
        new BufferedOutputStream(new FileOutputStream(fd), Math.max(1024, bufferBytes)));
    setImmediateFlush(false);
    super.start();
    flusher =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "pentecost-log-flusher");
              t.setDaemon(true);
              return t;
            });
    long every = Math.max(1, flushMillis);
    flusher.scheduleWithFixedDelay(this::flush, every, every, TimeUnit.MILLISECONDS);
    STARTED.add(this);
  }

  /**
   * Encodes and writes the event at once, on the logging thread. Unlike {@code
   * OutputStreamAppender}, it does not prepare the event for deferred processing first: nothing
   * defers it, and that step formatted every message a second time (with the logstash arguments'
   * {@code MessageFormat}), which {@link JsonLineEncoder}'s lines do not need.
   */
  @Override
  protected void subAppend(ILoggingEvent event) {
    if (!isStarted()) {
      return;
    }
    try {
      writeOut(event);
    } catch (IOException e) {
      started = false;
      addStatus(new ErrorStatus("IO failure in appender", this, e));
      return;
    }
    if (event.getLevel().isGreaterOrEqual(Level.WARN)) {
      flush();
    }
  }

  /** Writes out what the buffer holds. */
  public void flush() {
    streamWriteLock.lock();
    try {
      if (getOutputStream() != null) {
        getOutputStream().flush();
      }
    } catch (IOException e) {
      // standard output is gone: nothing left to tell
    } finally {
      streamWriteLock.unlock();
    }
  }

  @Override
  public void stop() {
    STARTED.remove(this);
    if (flusher != null) {
      flusher.shutdownNow();
      flusher = null;
    }
    flush();
    super.stop();
  }

  /** Flushes only: the process's standard output stays open for whatever prints after logback. */
  @Override
  protected void closeOutputStream() {
    flush();
  }
}
