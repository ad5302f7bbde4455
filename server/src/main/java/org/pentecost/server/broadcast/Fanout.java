package org.pentecost.server.broadcast;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.channel.ChannelHandlerContext;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.pentecost.protocol.AudioFrame;

/**
 * Writes a stream's frames to its audience. Each frame was encoded once, WebSocket header included
 * ({@link WireFrame}); every listener's socket gets the same bytes. Listeners on the publisher's
 * event loop are written at once; for every other event loop one task writes to all of its
 * listeners, so a frame costs one hop per loop, never one per listener, and each listener is only
 * ever written on its own loop.
 *
 * <p><b>One flush per event-loop turn.</b> Writes only queue the frame on the socket; each event
 * loop's {@link LoopFlusher} then flushes every socket written to, once, as a task queued behind
 * whatever the loop already has to do. An idle loop runs it at once, so a quiet listener gets each
 * frame immediately. A busy loop reaches it later, by which time a listener may have several frames
 * queued, and they leave in one system call (a gathering write): the busier the loop, the more
 * frames per write, and the system-call cost per frame falls exactly when load requires it. The
 * latency this adds is bounded by how far the loop is behind, which the slow-listener limit below
 * bounds in turn.
 *
 * <p>A listener's backlog is measured in audio time: the bytes queued on its socket that the kernel
 * has not taken, less the batch not yet flushed, at the stream's bytes per second. Past {@code
 * maxLagMicros}, or past {@code maxQueuedBytes} whatever the stream's rate, its frames are dropped,
 * for it alone, until the backlog drains; the next frame it gets carries the DISCONTINUITY flag (it
 * skipped to live). One that stays behind for {@code slowTimeoutMillis} is dropped at the TCP
 * level. Nobody else waits.
 */
public final class Fanout {

  private final long maxLagMicros;
  private final long maxQueuedBytes;
  private final long slowTimeoutMillis;
  private final MeterRegistry registry;
  private final Counter delivered;
  private final Counter dropped;
  private final Counter framesIn;
  private final Counter bytesIn;
  private final Counter bytesOut;
  private final Counter flushes;
  private final Map<String, Timer> latencyByLanguage = new ConcurrentHashMap<>();
  private final Map<EventExecutor, LoopFlusher> flushers = new ConcurrentHashMap<>();

  public Fanout(
      long maxLagMicros, long maxQueuedBytes, long slowTimeoutMillis, MeterRegistry registry) {
    this.maxLagMicros = maxLagMicros;
    this.maxQueuedBytes = maxQueuedBytes;
    this.slowTimeoutMillis = slowTimeoutMillis;
    this.registry = registry;
    this.delivered = Counter.builder("pentecost.audio.frames.out").register(registry);
    this.dropped =
        Counter.builder("pentecost.audio.frames.dropped")
            .description("Frames dropped for slow listeners (they skipped to live)")
            .register(registry);
    this.framesIn = Counter.builder("pentecost.audio.frames.in").register(registry);
    this.bytesIn = Counter.builder("pentecost.audio.bytes.in").register(registry);
    this.bytesOut = Counter.builder("pentecost.audio.bytes.out").register(registry);
    this.flushes =
        Counter.builder("pentecost.audio.socket.flushes")
            .description(
                "Socket flushes carrying audio; frames out / flushes = frames per system call")
            .register(registry);
  }

  /** Speaker-to-listener latency inside this node, for one language (created on first use). */
  private Timer latency(String language) {
    return latencyByLanguage.computeIfAbsent(
        language,
        l ->
            Timer.builder("pentecost.audio.fanout.latency")
                .description(
                    "From a frame's arrival at this node to the flush of its last listener's"
                        + " socket on an event loop, by language")
                .tag("language", l)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofNanos(10_000))
                .maximumExpectedValue(Duration.ofSeconds(2))
                .register(registry));
  }

  public void received(int bytes) {
    framesIn.increment();
    bytesIn.increment(bytes);
  }

  public void send(AudioStream.Published p) {
    Context current = Vertx.currentContext();
    Context here =
        current == null ? null : ((io.vertx.core.internal.ContextInternal) current).unwrap();
    for (Map.Entry<Context, AudioOut[]> group : p.audience().entrySet()) {
      AudioOut[] members = group.getValue();
      if (group.getKey() == here) {
        writeAll(members, p);
      } else {
        group.getKey().runOnContext(v -> writeAll(members, p));
      }
    }
  }

  private void writeAll(AudioOut[] members, AudioStream.Published p) {
    LoopFlusher flusher = null;
    for (AudioOut c : members) {
      LoopFlusher f = write(c, p.frame(), p.durationMicros(), 0);
      if (f != null) {
        flusher = f;
      }
    }
    if (flusher != null) {
      flusher.stamp(p.receivedNanos(), latency(p.language()));
    }
    delivered.increment(members.length);
    bytesOut.increment((double) members.length * p.frame().length());
  }

  /** Replays missed frames to one listener, on its own loop, before any live frame reaches it. */
  public void replay(AudioOut c, List<ReplayWindow.Entry> missed) {
    for (ReplayWindow.Entry e : missed) {
      write(c, e.frame(), e.durationMicros(), AudioFrame.FLAG_REPLAY);
    }
  }

  /** Queues one frame on a listener's socket; returns the loop's flusher, or null if not sent. */
  private LoopFlusher write(AudioOut c, WireFrame frame, long durationMicros, int flags) {
    if (!c.isOpen() || c.isClosing()) {
      return null; // nothing before sessionJoined (a worker hears the source from then on)
    }
    ChannelHandlerContext out = c.encoded();
    long unsent = out == null ? 0 : c.queuedBytes();
    if (unsent > maxQueuedBytes || unsent * durationMicros / frame.length() > maxLagMicros) {
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
      return null;
    }
    c.lagSince = 0;
    if (c.skipped) {
      flags |= AudioFrame.FLAG_DISCONTINUITY;
      c.skipped = false;
    }
    WireFrame sent = flags == 0 ? frame : frame.withFlags(flags);
    if (out == null) {
      c.writeThroughVertx(sent);
      return null;
    }
    boolean first = c.batch(sent);
    LoopFlusher flusher = c.flusher;
    if (flusher == null) {
      flusher = flushers.computeIfAbsent(out.executor(), e -> new LoopFlusher(e, flushes));
      c.flusher = flusher;
    }
    if (first) {
      flusher.add(c);
    }
    return flusher;
  }
}
