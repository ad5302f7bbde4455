package org.pentecost.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pentecost.protocol.AudioFrame;

class FrameFilterTest {
  private final FrameFilter filter = new FrameFilter();

  private static AudioFrame.Header h(String lang, long seq, int flags) {
    return new AudioFrame.Header(flags, lang, seq, 0);
  }

  /** Feeds frames; returns the sequences delivered. */
  private List<Long> feed(boolean armed, AudioFrame.Header... headers) {
    List<Long> out = new ArrayList<>();
    for (AudioFrame.Header header : headers) {
      if (filter.accept(header, armed)) {
        out.add(header.sequence());
      }
    }
    return out;
  }

  @Test
  void readsTheHeaderTheServerWrites() {
    byte[] frame =
        AudioFrame.encode(
            AudioFrame.FLAG_REPLAY, "es", 0xFFFF_FFF0L, 1_795_296_604_779_000L, new byte[] {7, 8});
    AudioFrame.Header header = filter.read(Buffer.buffer(frame));
    assertThat(header).isEqualTo(AudioFrame.readHeader(frame));
    assertThat(header.sequence()).isEqualTo(0xFFFF_FFF0L);
    assertThat(header.replay()).isTrue();
    assertThat(filter.read(Buffer.buffer(new byte[15]))).isNull();
    byte[] future = frame.clone();
    future[0] = 2;
    assertThat(filter.read(Buffer.buffer(future))).isNull();
  }

  @Test
  void duringAnOverlapFramesAlreadyDeliveredAreDropped() {
    // The old connection delivered 1..5; the new one replays from 3, then goes live.
    assertThat(feed(false, h("es", 1, 0), h("es", 2, 0), h("es", 3, 0)))
        .containsExactly(1L, 2L, 3L);
    assertThat(feed(true, h("es", 4, 0), h("es", 5, 0))).containsExactly(4L, 5L);
    assertThat(
            feed(
                true,
                h("es", 3, AudioFrame.FLAG_REPLAY),
                h("es", 4, AudioFrame.FLAG_REPLAY),
                h("es", 5, AudioFrame.FLAG_REPLAY),
                h("es", 6, 0),
                h("es", 5, 0),
                h("es", 7, 0)))
        .containsExactly(6L, 7L);
    assertThat(filter.lastSeq()).isEqualTo(7);
  }

  @Test
  void aDiscontinuityIsDeliveredEvenBehindTheLastFrame() {
    feed(false, h("es", 100, 0));
    assertThat(feed(true, h("es", 40, AudioFrame.FLAG_DISCONTINUITY), h("es", 41, 0)))
        .containsExactly(40L, 41L);
  }

  @Test
  void anotherLanguageIsAnotherStream() {
    feed(false, h("es", 100, 0));
    assertThat(feed(true, h("fr", 3, 0), h("fr", 4, 0))).containsExactly(3L, 4L);
  }

  @Test
  void disarmedEveryFramePassesSoARestartedStreamIsNotLost() {
    feed(false, h("es", 500, 0));
    assertThat(feed(false, h("es", 1, 0), h("es", 2, 0))).containsExactly(1L, 2L);
  }

  @Test
  void resetForgetsTheStream() {
    feed(false, h("es", 9, 0));
    filter.reset();
    assertThat(filter.lastSeq()).isZero();
    assertThat(feed(true, h("es", 1, 0))).containsExactly(1L);
  }
}
