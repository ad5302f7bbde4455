package org.pentecost.server.ws;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.pentecost.protocol.AudioFrame;

/**
 * Writes a stream's frames to its audience. Each frame was encoded once; the same buffer is written
 * to every listener. Listeners on the publisher's event loop are written at once; for every other
 * event loop one task writes to all of its listeners, so a frame costs one hop per loop, never one
 * per listener, and each listener is only ever written on its own loop.
 *
 * <p>A listener's backlog is measured in audio time (frames written but not yet taken by its
 * socket). Past {@code maxLagMicros} its frames are dropped, for it alone, until the backlog
 * drains; the next frame it gets carries the DISCONTINUITY flag (it skipped to live). One that
 * stays behind for {@code slowTimeoutMillis} is closed with 4003. Nobody else waits.
 */
final class Fanout {

  private final long maxLagMicros;
  private final long slowTimeoutMillis;
  private final Counter delivered;
  private final Counter dropped;
  private final Counter framesIn;
  private final Counter bytesIn;
  private final Counter bytesOut;
  private final Timer latency;

  Fanout(long maxLagMicros, long slowTimeoutMillis, MeterRegistry registry) {
    this.maxLagMicros = maxLagMicros;
    this.slowTimeoutMillis = slowTimeoutMillis;
    this.delivered = Counter.builder("pentecost.audio.frames.out").register(registry);
    this.dropped =
        Counter.builder("pentecost.audio.frames.dropped")
            .description("Frames dropped for slow listeners (they skipped to live)")
            .register(registry);
    this.framesIn = Counter.builder("pentecost.audio.frames.in").register(registry);
    this.bytesIn = Counter.builder("pentecost.audio.bytes.in").register(registry);
    this.bytesOut = Counter.builder("pentecost.audio.bytes.out").register(registry);
    this.latency =
        Timer.builder("pentecost.audio.fanout.latency")
            .description(
                "From a frame's arrival to its write to the last listener of an event loop")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofNanos(10_000))
            .maximumExpectedValue(Duration.ofSeconds(2))
            .register(registry);
  }

  void received(int bytes) {
    framesIn.increment();
    bytesIn.increment(bytes);
  }

  void send(AudioStream.Published p) {
    Context current = Vertx.currentContext();
    Context here =
        current == null ? null : ((io.vertx.core.internal.ContextInternal) current).unwrap();
    for (Map.Entry<Context, Connection[]> group : p.audience().entrySet()) {
      Connection[] members = group.getValue();
      if (group.getKey() == here) {
        writeAll(members, p);
      } else {
        group.getKey().runOnContext(v -> writeAll(members, p));
      }
    }
  }

  private void writeAll(Connection[] members, AudioStream.Published p) {
    for (Connection c : members) {
      write(c, p.frame(), p.durationMicros(), 0);
    }
    latency.record(System.nanoTime() - p.receivedNanos(), TimeUnit.NANOSECONDS);
    delivered.increment(members.length);
    bytesOut.increment((double) members.length * p.frame().length());
  }

  /** Replays missed frames to one listener, on its own loop, before any live frame reaches it. */
  void replay(Connection c, List<ReplayWindow.Entry> missed) {
    for (ReplayWindow.Entry e : missed) {
      write(c, e.frame(), e.durationMicros(), AudioFrame.FLAG_REPLAY);
    }
  }

  /**
   * Marks the next frame this listener gets as a discontinuity (it joins live, not where it was).
   */
  static void discontinuity(Connection c) {
    c.skipped = true;
  }

  private void write(Connection c, Buffer frame, long durationMicros, int flags) {
    if (c.isClosing()) {
      return;
    }
    if (c.queuedMicros > maxLagMicros) {
      dropped.increment();
      c.skipped = true;
      long now = System.currentTimeMillis();
      if (c.lagSince == 0) {
        c.lagSince = now;
      } else if (now - c.lagSince > slowTimeoutMillis) {
        // A close frame would wait behind the backlog this listener is not reading; drop the
        // connection itself (its clients see an abrupt close and reconnect with lastSeq).
        c.abort();
      }
      return;
    }
    c.lagSince = 0;
    if (c.skipped) {
      flags |= AudioFrame.FLAG_DISCONTINUITY;
      c.skipped = false;
    }
    Buffer out = frame;
    if (flags != 0) {
      out = frame.copy();
      out.setByte(1, (byte) (out.getByte(1) | flags));
    }
    c.queuedMicros += durationMicros;
    c.socket.writeBinaryMessage(out).onComplete(ar -> c.queuedMicros -= durationMicros);
  }
}
