package org.pentecost.server.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.pentecost.protocol.AudioFrame;

/**
 * One language's stream with no server: numbering, the replay a resuming listener gets, frames from
 * another node, and the audience grouped by event loop.
 */
class AudioStreamTest {
  @RegisterExtension static final EventLoops loops = new EventLoops();

  /** 20 ms of 16 kHz PCM (the default format). */
  static final int FRAME_BYTES = 640;

  static final long SECOND = 1_000_000;

  final Object speaker = new Object();

  AudioStream live(long windowMicros) {
    AudioStream s = new AudioStream("en", windowMicros);
    s.publisher(speaker, AudioFormat.DEFAULT);
    return s;
  }

  void publish(AudioStream s, int frames) {
    for (int i = 0; i < frames; i++) {
      assertThat(s.publish(speaker, Buffer.buffer(new byte[FRAME_BYTES]), 0)).isNotNull();
    }
  }

  /** The sequence numbers of {@code entries}, read from the bytes each would send. */
  static List<Long> sent(List<ReplayWindow.Entry> entries) {
    List<Long> seqs = new ArrayList<>();
    for (ReplayWindow.Entry e : entries) {
      long inHeader = AudioFrame.readHeader(e.frame().audio().getBytes()).sequence();
      assertThat(inHeader).isEqualTo(e.seq());
      seqs.add(inHeader);
    }
    return seqs;
  }

  /** A frame numbered {@code seq} on another node, as it arrives here. */
  static AudioStream.Numbered fromElsewhere(long seq) {
    byte[] audio = AudioFrame.encode(0, "en", seq, 0, new byte[FRAME_BYTES]);
    return new AudioStream.Numbered(seq, 20_000, Buffer.buffer(audio));
  }

  @Test
  void aResumeGetsExactlyTheFramesAfterLastSeqOnceThenTheRestLive() {
    AudioStream s = live(SECOND);
    publish(s, 10);
    AudioOut resumed = new EmbeddedListener(loops.newLoop()).out;
    assertThat(sent(s.subscribe(resumed, 7))).containsExactly(8L, 9L, 10L);
    AudioStream.Published next = s.publish(speaker, Buffer.buffer(new byte[FRAME_BYTES]), 0);
    assertThat(next.seq()).isEqualTo(11);
    assertThat(next.audience().get(resumed.loop())).containsExactly(resumed);
  }

  @Test
  void aResumeFromBeforeTheWindowIsNullAndContinuityIsLost() {
    AudioStream s = live(SECOND / 10); // five 20 ms frames
    publish(s, 10);
    Context loop = loops.newLoop();
    assertThat(sent(s.subscribe(new EmbeddedListener(loop).out, 5)))
        .containsExactly(6L, 7L, 8L, 9L, 10L);
    assertThat(s.subscribe(new EmbeddedListener(loop).out, 4)).isNull();
  }

  @Test
  void aLastSeqTheStreamNeverReachedIsNull() {
    AudioStream s = live(SECOND);
    Context loop = loops.newLoop();
    assertThat(s.subscribe(new EmbeddedListener(loop).out, 3)).as("nothing published").isNull();
    publish(s, 3);
    assertThat(s.subscribe(new EmbeddedListener(loop).out, 7)).as("it restarted since").isNull();
    assertThat(s.subscribe(new EmbeddedListener(loop).out, 3)).as("up to date").isEmpty();
    assertThat(s.subscribe(new EmbeddedListener(loop).out, -1)).as("nothing to resume").isEmpty();
  }

  @Test
  void onlyThePublisherIsNumbered() {
    AudioStream s = live(SECOND);
    assertThat(s.publish(new Object(), Buffer.buffer(new byte[FRAME_BYTES]), 0)).isNull();
    publish(s, 1);
    assertThat(s.publisherLeft(new Object())).isFalse();
    assertThat(s.publisherLeft(speaker)).isTrue();
    assertThat(s.publish(speaker, Buffer.buffer(new byte[FRAME_BYTES]), 0)).isNull();
    assertThat(s.isLive()).isFalse();
    assertThat(s.format()).isNull();
  }

  @Test
  void framesFromAnotherNodeMergeOldOnesToTheWindowAndReturnNewOnesThenNumberingGoesOn() {
    AudioStream s = new AudioStream("en", SECOND);
    // This node heard frames 4 and 5 by pub/sub; the shared window holds 1 to 8.
    assertThat(s.received(4, 20_000, fromElsewhere(4).audio())).isNotNull();
    assertThat(s.received(5, 20_000, fromElsewhere(5).audio())).isNotNull();
    List<AudioStream.Numbered> shared = new ArrayList<>();
    for (int n = 1; n <= 8; n++) {
      shared.add(fromElsewhere(n));
    }
    List<AudioStream.Numbered> newer = s.merge(shared, f -> f);
    assertThat(newer).extracting(AudioStream.Numbered::seq).containsExactly(6L, 7L, 8L);
    for (AudioStream.Numbered f : newer) {
      assertThat(s.received(f.seq(), f.durationMicros(), f.audio()).seq()).isEqualTo(f.seq());
    }
    assertThat(s.received(7, 20_000, fromElsewhere(7).audio())).as("pub/sub, again").isNull();

    s.publisher(speaker, AudioFormat.DEFAULT); // the speaker moves here
    assertThat(s.publish(speaker, Buffer.buffer(new byte[FRAME_BYTES]), 0).seq()).isEqualTo(9);
    AudioOut late = new EmbeddedListener(loops.newLoop()).out;
    assertThat(sent(s.subscribe(late, 0))).containsExactly(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L);
  }

  @Test
  void theAudienceIsGroupedByEventLoopAndEachFrameKeepsTheAudienceItWasPublishedTo() {
    AudioStream s = live(SECOND);
    Context one = loops.newLoop();
    Context two = loops.newLoop();
    AudioOut a1 = new EmbeddedListener(one).out;
    AudioOut a2 = new EmbeddedListener(one).out;
    AudioOut b1 = new EmbeddedListener(two).out;
    s.subscribe(a1, -1);
    s.subscribe(a2, -1);
    s.subscribe(b1, -1);
    AudioStream.Published first = s.publish(speaker, Buffer.buffer(new byte[FRAME_BYTES]), 0);
    assertThat(first.audience()).containsOnlyKeys(one, two);
    assertThat(first.audience().get(one)).containsExactly(a1, a2);
    assertThat(first.audience().get(two)).containsExactly(b1);

    assertThat(s.unsubscribe(a1)).isTrue();
    assertThat(s.unsubscribe(a1)).as("once").isFalse();
    assertThat(s.unsubscribe(b1)).isTrue();
    AudioStream.Published second = s.publish(speaker, Buffer.buffer(new byte[FRAME_BYTES]), 0);
    assertThat(second.audience()).containsOnlyKeys(one);
    assertThat(second.audience().get(one)).containsExactly(a2);
    assertThat(first.audience().get(one)).as("unchanged").containsExactly(a1, a2);
    assertThat(first.audience().get(two)).containsExactly(b1);

    assertThat(s.isEmpty()).isFalse();
    s.unsubscribe(a2);
    s.publisherLeft(speaker);
    assertThat(s.isEmpty()).isTrue();
  }
}
