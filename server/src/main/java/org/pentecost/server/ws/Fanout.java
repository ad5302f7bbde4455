package org.pentecost.server.ws;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.concurrent.EventExecutor;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
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
final class Fanout {

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

  Fanout(long maxLagMicros, long maxQueuedBytes, long slowTimeoutMillis, MeterRegistry registry) {
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
    LoopFlusher flusher = null;
    for (Connection c : members) {
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

  /** Queues one frame on a listener's socket; returns the loop's flusher, or null if not sent. */
  private LoopFlusher write(Connection c, WireFrame frame, long durationMicros, int flags) {
    if (c.isClosing() || !c.announced) {
      return null; // nothing before sessionJoined (a worker hears the source from then on)
    }
    ChannelHandlerContext out = c.audioOut();
    long unsent = out == null ? 0 : unsentBytes(out);
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
      c.socket.writeBinaryMessage(sent.audio());
      return null;
    }
    boolean first = c.batchCount == 0;
    c.batch(sent);
    LoopFlusher flusher = c.flusher;
    if (flusher == null) {
      flusher = flushers.computeIfAbsent(out.executor(), LoopFlusher::new);
      c.flusher = flusher;
    }
    if (first) {
      flusher.add(c);
    }
    return flusher;
  }

  /**
   * Hands a connection's batched frames to its socket, without flushing: one frame as it is,
   * several copied into one buffer, so that they cost one entry in the socket's queue and leave in
   * one system call. Own event loop only; also called before a text message, to keep the order.
   */
  static void writeBatch(Connection c) {
    int n = c.batchCount;
    if (n == 0) {
      return;
    }
    ChannelHandlerContext out = c.audioOut();
    WireFrame[] frames = c.batch;
    if (n == 1) {
      out.write(frames[0].forWrite(), out.voidPromise());
    } else {
      ByteBuf joined = out.alloc().directBuffer(c.batchBytes);
      for (int i = 0; i < n; i++) {
        frames[i].copyTo(joined);
      }
      out.write(joined, out.voidPromise());
    }
    c.clearBatch();
  }

  /** Bytes queued on the socket that the kernel has not taken. */
  private static long unsentBytes(ChannelHandlerContext out) {
    ChannelOutboundBuffer queued = out.channel().unsafe().outboundBuffer();
    return queued == null ? 0 : queued.totalPendingWriteBytes();
  }

  /**
   * The sockets of one event loop written to since its last flush. Used on that loop only: {@link
   * #written} queues the flush task once per batch, {@link #run} flushes each socket once and
   * records the latency of the frames the batch carried.
   */
  final class LoopFlusher implements Runnable {
    private final EventExecutor loop;
    private Connection[] pending = new Connection[64];
    private int count;
    private long[] stampNanos = new long[16];
    private Timer[] stampTimers = new Timer[16];
    private int stamps;
    private boolean scheduled;

    LoopFlusher(EventExecutor loop) {
      this.loop = loop;
    }

    /** {@code c} has its first frame of this batch. */
    void add(Connection c) {
      if (count == pending.length) {
        pending = Arrays.copyOf(pending, count * 2);
      }
      pending[count++] = c;
      if (!scheduled) {
        scheduled = true;
        loop.execute(this);
      }
    }

    /** A frame in this batch arrived at {@code receivedNanos}; its latency ends at the flush. */
    void stamp(long receivedNanos, Timer timer) {
      if (stamps == stampNanos.length) {
        stampNanos = Arrays.copyOf(stampNanos, stamps * 2);
        stampTimers = Arrays.copyOf(stampTimers, stamps * 2);
      }
      stampNanos[stamps] = receivedNanos;
      stampTimers[stamps] = timer;
      stamps++;
    }

    @Override
    public void run() {
      scheduled = false;
      int n = count;
      for (int i = 0; i < n; i++) {
        Connection c = pending[i];
        pending[i] = null;
        if (c.isClosing()) {
          // Nothing may follow the close frame; the client resumes from what it received.
          c.clearBatch();
          continue;
        }
        writeBatch(c);
        c.audioOut().flush();
      }
      count = 0;
      flushes.increment(n);
      long now = System.nanoTime();
      for (int i = 0; i < stamps; i++) {
        stampTimers[i].record(now - stampNanos[i], TimeUnit.NANOSECONDS);
        stampTimers[i] = null;
      }
      stamps = 0;
    }
  }
}
