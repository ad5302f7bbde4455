package org.pentecost.server.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.pentecost.protocol.AudioFrame;

/**
 * Audio frames as tests send and receive them: a speaker's payload that says which frame it is (its
 * marker), and what a listener heard, read from the 16-byte header: sequence numbers, flags,
 * language. A frame heard is kept either as its {@link AudioFrame.Header} or as a pair {@code
 * {sequence, marker}}, so that a test sees both the number the server gave a frame and which frame
 * the speaker sent.
 */
public final class AudioFrames {
  private AudioFrames() {}

  /** 20 ms of 16 kHz PCM whose first bytes say which frame it is (its marker, {@code n}). */
  public static byte[] pcm(int n) {
    byte[] bytes = new byte[640];
    bytes[0] = (byte) (n >> 8);
    bytes[1] = (byte) n;
    return bytes;
  }

  /** The marker of a received frame: the first two payload bytes of {@link #pcm}. */
  public static int marker(byte[] frame) {
    return ((frame[16] & 0xff) << 8) | (frame[17] & 0xff);
  }

  /** A received frame as {@code {sequence, marker}}. */
  public static long[] heard(byte[] frame) {
    return new long[] {AudioFrame.readHeader(frame).sequence(), marker(frame)};
  }

  /** The headers of the next {@code count} frames (10 s each at most). */
  public static List<AudioFrame.Header> headers(WsClient c, int count) {
    List<AudioFrame.Header> got = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      got.add(AudioFrame.readHeader(c.nextFrame()));
    }
    return got;
  }

  /** The next {@code count} frames as (sequence, marker) pairs (10 s each at most). */
  public static List<long[]> receive(WsClient c, int count) {
    List<long[]> got = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      got.add(heard(c.nextFrame()));
    }
    return got;
  }

  /** Every frame of {@code c} as (sequence, marker) until none comes for {@code quiet}. */
  public static List<long[]> drain(WsClient c, Duration quiet) throws InterruptedException {
    List<long[]> got = new ArrayList<>();
    for (byte[] f; (f = c.pollFrame(quiet)) != null; ) {
      got.add(heard(f));
    }
    return got;
  }

  /** Headers numbered {@code first}, {@code first + 1}, ... */
  public static void assertContiguous(List<AudioFrame.Header> frames, long first) {
    for (int i = 0; i < frames.size(); i++) {
      assertThat(frames.get(i).sequence()).as("frame %d", i).isEqualTo(first + i);
    }
  }

  /**
   * Frames numbered {@code first}, {@code first + 1}, ... carrying markers {@code m, m + 1}, ...
   */
  public static void assertRun(List<long[]> frames, long first, int firstMarker) {
    for (int i = 0; i < frames.size(); i++) {
      assertThat(frames.get(i)[0]).as("sequence of frame %d", i).isEqualTo(first + i);
      assertThat(frames.get(i)[1]).as("marker of frame %d", i).isEqualTo(firstMarker + i);
    }
  }

  /**
   * Exactly the frames {@code first} to {@code last}, each numbered as its marker says: no gap, no
   * duplicate. {@code who} names the listener in a failure.
   */
  public static void assertRun(String who, List<long[]> frames, int first, int last) {
    assertThat(frames).as("%s: frames heard", who).hasSize(last - first + 1);
    for (int i = 0; i < frames.size(); i++) {
      assertThat(frames.get(i)[0]).as("%s: sequence of frame %d", who, i).isEqualTo(first + i);
      assertThat(frames.get(i)[1]).as("%s: marker of frame %d", who, i).isEqualTo(first + i);
    }
  }
}
