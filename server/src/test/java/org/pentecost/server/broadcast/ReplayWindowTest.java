package org.pentecost.server.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pentecost.protocol.AudioFrame;

/** The replay window on its own: what it keeps, measured in audio time, and what it gives back. */
class ReplayWindowTest {
  private static final long MS = 1000;

  static ReplayWindow.Entry entry(long seq, long durationMicros) {
    byte[] header = new byte[AudioFrame.HEADER_BYTES];
    AudioFrame.writeHeader(header, 0, "en", seq, 0);
    return new ReplayWindow.Entry(seq, durationMicros, WireFrame.encode(header, Buffer.buffer(8)));
  }

  static List<Long> seqs(List<ReplayWindow.Entry> entries) {
    return entries.stream().map(ReplayWindow.Entry::seq).toList();
  }

  @Test
  void itKeepsTheLastWindowOfAudioTimeWhateverTheFrameSize() {
    ReplayWindow w = new ReplayWindow(100 * MS);
    for (int n = 1; n <= 10; n++) {
      w.add(entry(n, 20 * MS));
    }
    assertThat(seqs(w.after(5))).containsExactly(6L, 7L, 8L, 9L, 10L);
    assertThat(w.after(4)).as("frame 5 has left the window").isNull();

    ReplayWindow longFrames = new ReplayWindow(100 * MS);
    for (int n = 1; n <= 10; n++) {
      longFrames.add(entry(n, 60 * MS));
    }
    assertThat(seqs(longFrames.after(8))).containsExactly(9L, 10L);
    assertThat(longFrames.after(7)).isNull();
  }

  @Test
  void afterGivesTheMissedFramesOldestFirst() {
    ReplayWindow w = new ReplayWindow(1000 * MS);
    for (int n = 1; n <= 10; n++) {
      w.add(entry(n, 20 * MS));
    }
    assertThat(seqs(w.after(7))).containsExactly(8L, 9L, 10L);
    assertThat(seqs(w.after(0))).hasSize(10).startsWith(1L).endsWith(10L);
    assertThat(w.after(10)).as("up to date").isEmpty();
    assertThat(w.after(11)).as("a number the stream never reached").isNull();
    assertThat(w.newestSeq()).isEqualTo(10);
  }

  @Test
  void anEmptyWindowHasNothingToReplayAndHasReachedNothing() {
    ReplayWindow w = new ReplayWindow(1000 * MS);
    assertThat(w.newestSeq()).isZero();
    assertThat(w.after(0)).isEmpty();
    assertThat(w.after(1)).isNull();
  }

  @Test
  void mergeKeepsSequenceOrderEachNumberOnceAndTheWindowsLength() {
    ReplayWindow w = new ReplayWindow(100 * MS);
    w.add(entry(4, 20 * MS));
    w.add(entry(5, 20 * MS));
    w.merge(List.of(entry(2, 20 * MS), entry(1, 20 * MS), entry(3, 20 * MS), entry(4, 20 * MS)));
    assertThat(seqs(w.after(0))).containsExactly(1L, 2L, 3L, 4L, 5L);

    w.merge(List.of(entry(6, 20 * MS), entry(7, 20 * MS)));
    assertThat(seqs(w.after(2)))
        .as("the oldest left for the newest")
        .containsExactly(3L, 4L, 5L, 6L, 7L);
    assertThat(w.after(1)).isNull();
    assertThat(w.newestSeq()).isEqualTo(7);
  }
}
