package org.pentecost.server.testing;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Hostile clients that come back whenever they are dropped: a fixed number of threads, each opening
 * a connection and repeating one step on it (a message, a ping, an oversized frame) until the
 * server closes or resets it, then opening another, until the flood's time is up. Counts the
 * connections opened and the drops; {@link #close()} closes every socket still open, which also
 * ends a write the server never lets finish.
 */
public final class Flood implements AutoCloseable {
  /** Opens one attacking connection (a {@code 101} upgrade), or fails. */
  public interface Connect {
    RawSocket open() throws IOException;
  }

  /** One step of the attack on an open connection; an {@link IOException} means it was dropped. */
  public interface Step {
    void run(RawSocket s) throws IOException, InterruptedException;
  }

  private final String name;
  private final long endNanos;
  private final Connect connect;
  private final Step step;
  private final List<Thread> threads = new ArrayList<>();
  private final Set<RawSocket> open = ConcurrentHashMap.newKeySet();
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger drops = new AtomicInteger();
  private final AtomicInteger refusals = new AtomicInteger();
  private volatile boolean closed;

  private Flood(String name, Duration duration, Connect connect, Step step) {
    this.name = name;
    this.endNanos = System.nanoTime() + duration.toNanos();
    this.connect = connect;
    this.step = step;
  }

  /** Starts {@code threads} attackers that repeat {@code step} for {@code duration}. */
  public static Flood start(
      String name, int threads, Duration duration, Connect connect, Step step) {
    Flood f = new Flood(name, duration, connect, step);
    for (int i = 0; i < threads; i++) {
      Thread t = new Thread(f::attack, "flood-" + name + "-" + i);
      t.setDaemon(true);
      f.threads.add(t);
      t.start();
    }
    return f;
  }

  /**
   * The upgrade of a raw connection to {@code /ws?query} on {@code port}, with a receive buffer of
   * {@code receiveBuffer} bytes (0 for the system's); fails unless the server answers 101.
   */
  public static Connect upgrade(int port, String query, int receiveBuffer) {
    return () -> {
      RawSocket s = RawSocket.connect(port, null, receiveBuffer);
      try {
        String head = s.upgrade(query);
        if (!head.startsWith("HTTP/1.1 101")) {
          throw new IOException("upgrade refused: " + head.lines().findFirst().orElse(""));
        }
        return s;
      } catch (IOException e) {
        s.close();
        throw e;
      }
    };
  }

  private boolean running() {
    return !closed && System.nanoTime() < endNanos;
  }

  private void attack() {
    while (running()) {
      RawSocket s;
      try {
        s = connect.open();
      } catch (IOException e) {
        refusals.incrementAndGet();
        pause();
        continue;
      }
      open.add(s);
      connections.incrementAndGet();
      try {
        while (running()) {
          step.run(s);
        }
      } catch (IOException e) {
        if (!closed) {
          drops.incrementAndGet(); // closed or reset by the server
        }
      } catch (InterruptedException e) {
        return;
      } finally {
        open.remove(s);
        s.close();
      }
    }
  }

  private static void pause() {
    try {
      Thread.sleep(100);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public String name() {
    return name;
  }

  /** Connections the server accepted (upgraded). */
  public int connections() {
    return connections.get();
  }

  /** Connections the server closed or reset while the flood ran. */
  public int drops() {
    return drops.get();
  }

  /** Connections or upgrades the server refused. */
  public int refusals() {
    return refusals.get();
  }

  /** Waits until the flood's time is up. */
  public void awaitEnd() throws InterruptedException {
    long wait = endNanos - System.nanoTime();
    if (wait > 0) {
      Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
    }
  }

  @Override
  public String toString() {
    return name
        + ": "
        + connections()
        + " connections, "
        + drops()
        + " dropped by the server, "
        + refusals()
        + " refused";
  }

  /** Stops the attackers: closes every socket still open and waits for the threads. */
  @Override
  public void close() throws InterruptedException {
    closed = true;
    open.forEach(RawSocket::close);
    for (Thread t : threads) {
      t.join(10_000);
      if (t.isAlive()) {
        open.forEach(RawSocket::close); // one opened meanwhile
        t.interrupt();
        t.join(5_000);
      }
    }
  }
}
