package org.pentecost.server.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pentecost.protocol.AudioFrame;

/**
 * The fan-out with no server: frames go from a stream to listeners' sockets ({@link
 * EmbeddedListener}) on a real Vert.x event loop, and each socket's flush runs when the test turns
 * that socket's loop. What a socket receives is read back as a WebSocket client decodes it. (Each
 * embedded channel has a loop of its own, so each socket here has its own flusher.)
 */
class FanoutTest {
  @RegisterExtension static final EventLoops loops = new EventLoops();

  /** 20 ms of 16 kHz PCM; 660 bytes on the wire. */
  static final int FRAME_BYTES = 640;

  static final long SECOND = 1_000_000;

  final Object speaker = new Object();
  SimpleMeterRegistry registry;
  Context loop;
  AudioStream stream;

  @BeforeEach
  void stream() {
    registry = new SimpleMeterRegistry();
    loop = loops.newLoop();
    stream = new AudioStream("en", SECOND);
    stream.publisher(speaker, AudioFormat.DEFAULT);
  }

  /** A fan-out whose listeners may be {@code maxLagMicros} or {@code maxQueuedBytes} behind. */
  Fanout fanout(long maxLagMicros, long maxQueuedBytes) {
    return new Fanout(maxLagMicros, maxQueuedBytes, 60_000, registry);
  }

  /** A listener of the stream, on the test's event loop, open. */
  EmbeddedListener listener() {
    EmbeddedListener l = EmbeddedListener.open(loop);
    stream.subscribe(l.out, -1);
    return l;
  }

  /** The speaker sends {@code count} frames; the fan-out hands them out on the event loop. */
  void speak(Fanout fanout, int count) {
    for (int i = 0; i < count; i++) {
      AudioStream.Published p = stream.publish(speaker, Buffer.buffer(new byte[FRAME_BYTES]), 0);
      EventLoops.run(loop, () -> fanout.send(p));
    }
  }

  double counted(String meter) {
    return registry.get(meter).counter().count();
  }

  static List<Long> seqs(List<AudioFrame.Header> headers) {
    return headers.stream().map(AudioFrame.Header::sequence).toList();
  }

  @Test
  void framesWrittenBeforeTheLoopFlushesLeaveInOrderAsOneBuffer() {
    Fanout fanout = fanout(SECOND, 1 << 20);
    EmbeddedListener one = listener();
    EmbeddedListener two = listener();
    speak(fanout, 3);
    assertThat(one.flushed()).as("nothing before the loop's flush").isEmpty();

    one.runLoop();
    List<List<byte[]>> buffers = one.flushed();
    assertThat(buffers).as("one buffer").hasSize(1);
    assertThat(buffers.get(0))
        .extracting(f -> AudioFrame.readHeader(f).sequence())
        .containsExactly(1L, 2L, 3L);
    assertThat(buffers.get(0))
        .allSatisfy(f -> assertThat(f).hasSize(AudioFrame.HEADER_BYTES + FRAME_BYTES));
    two.runLoop();
    assertThat(two.flushed())
        .as("every socket gets the same")
        .hasSize(1)
        .first()
        .satisfies(b -> assertThat(b).hasSize(3));
    assertThat(counted("pentecost.audio.socket.flushes")).isEqualTo(2);

    speak(fanout, 1);
    one.runLoop();
    List<List<byte[]>> alone = one.flushed();
    assertThat(alone).hasSize(1);
    assertThat(alone.get(0))
        .extracting(f -> AudioFrame.readHeader(f).sequence())
        .containsExactly(4L);
  }

  @Test
  void aListenerMoreThanMaxLagBehindHasFramesDroppedThenHearsADiscontinuity() {
    Fanout fanout = fanout(SECOND, 1 << 20); // a second of 20 ms frames is 33,000 bytes
    EmbeddedListener reading = listener();
    EmbeddedListener behind = listener();
    reading.unread(20_000); // 0.6 s behind: within the limit
    behind.unread(40_000); // 1.2 s behind
    speak(fanout, 2);
    reading.runLoop();
    assertThat(seqs(reading.frames())).containsExactly(1L, 2L);
    assertThat(behind.frames()).isEmpty();
    assertThat(behind.queued()).as("only what it had not read").isLessThan(41_000);
    assertThat(counted("pentecost.audio.frames.dropped")).isEqualTo(2);

    behind.readAll();
    speak(fanout, 2);
    behind.runLoop();
    List<AudioFrame.Header> after = behind.frames();
    assertThat(seqs(after)).containsExactly(3L, 4L);
    assertThat(after.get(0).discontinuity()).as("it skipped to live").isTrue();
    assertThat(after.get(1).flags()).isZero();
  }

  @Test
  void aListenerPastTheByteCapHasFramesDroppedWhateverTheStreamsRate() {
    Fanout fanout = fanout(3600 * SECOND, 16_384);
    EmbeddedListener behind = listener();
    behind.unread(20_000);
    speak(fanout, 1);
    behind.runLoop();
    assertThat(behind.frames()).isEmpty();
    assertThat(counted("pentecost.audio.frames.dropped")).isEqualTo(1);

    behind.readAll();
    speak(fanout, 1);
    behind.runLoop();
    AudioFrame.Header next = behind.frames().get(0);
    assertThat(next.sequence()).isEqualTo(2);
    assertThat(next.discontinuity()).isTrue();
  }

  @Test
  void aListenerBehindForLongerThanTheSlowTimeoutIsDisconnected() throws InterruptedException {
    Fanout fanout = new Fanout(SECOND, 1 << 20, 50, registry);
    EmbeddedListener stalled = listener();
    stalled.unread(40_000);
    speak(fanout, 1);
    assertThat(stalled.channel.isOpen()).isTrue();
    Thread.sleep(100);
    speak(fanout, 1);
    assertThat(stalled.channel.isOpen()).as("dropped without a close handshake").isFalse();
  }

  @Test
  void skipToLiveFlagsTheNextFrameOnly() {
    Fanout fanout = fanout(SECOND, 1 << 20);
    EmbeddedListener l = listener();
    l.out.skip();
    speak(fanout, 2);
    l.runLoop();
    List<AudioFrame.Header> got = l.frames();
    assertThat(got.get(0).flags()).isEqualTo(AudioFrame.FLAG_DISCONTINUITY);
    assertThat(got.get(1).flags()).isZero();
  }

  @Test
  void nothingIsWrittenBeforeOpenOrOnceClosing() {
    Fanout fanout = fanout(SECOND, 1 << 20);
    EmbeddedListener joining = new EmbeddedListener(loop);
    stream.subscribe(joining.out, -1);
    EmbeddedListener closing = listener();
    closing.out.markClosing();
    EmbeddedListener closed = listener();
    closed.closed();
    speak(fanout, 1);
    for (EmbeddedListener l : List.of(joining, closing, closed)) {
      l.runLoop();
      assertThat(l.frames()).isEmpty();
      assertThat(l.queued()).isZero();
    }

    joining.out.open();
    speak(fanout, 1);
    joining.runLoop();
    assertThat(seqs(joining.frames())).containsExactly(2L);
  }

  @Test
  void framesBatchedWhenTheConnectionStartsClosingAreNotFlushed() {
    Fanout fanout = fanout(SECOND, 1 << 20);
    EmbeddedListener l = listener();
    speak(fanout, 2);
    l.out.markClosing(); // its close frame is on its way: nothing may follow it
    l.runLoop();
    assertThat(l.frames()).isEmpty();
    assertThat(l.queued()).isZero();
  }

  @Test
  void aReplayIsFlaggedAndComesBeforeLiveFrames() {
    Fanout fanout = fanout(SECOND, 1 << 20);
    speak(fanout, 5);
    EmbeddedListener resumed = EmbeddedListener.open(loop);
    List<ReplayWindow.Entry> missed = stream.subscribe(resumed.out, 2);
    EventLoops.run(loop, () -> fanout.replay(resumed.out, missed));
    speak(fanout, 1);
    resumed.runLoop();
    List<AudioFrame.Header> got = resumed.frames();
    assertThat(seqs(got)).containsExactly(3L, 4L, 5L, 6L);
    assertThat(got.subList(0, 3)).allMatch(h -> h.flags() == AudioFrame.FLAG_REPLAY);
    assertThat(got.get(3).flags()).isZero();
  }
}
