package org.pentecost.client;

import io.vertx.core.buffer.Buffer;
import org.pentecost.protocol.AudioFrame;

/**
 * Reads audio frame headers and drops frames already delivered. While two WebSockets overlap (a
 * refresh) or a resumed one may replay, the client "arms" the filter: then a frame of the same
 * stream whose sequence is not above the last delivered one is a duplicate, unless it carries
 * {@code DISCONTINUITY} (the stream jumped on purpose). Disarmed, every frame passes: a stream that
 * restarts its sequence is not mistaken for duplicates. Confined to the connection's context.
 */
final class FrameFilter {
  /** Language of the last delivered frame, or null. */
  private String language;

  /** Sequence of the last delivered frame, 0 before the first (sequences start at 1). */
  private long lastSeq;

  /** Whether to deliver {@code header}; a delivered frame becomes the last one. */
  boolean accept(AudioFrame.Header header, boolean armed) {
    if (armed
        && !header.discontinuity()
        && header.language().equals(language)
        && header.sequence() <= lastSeq) {
      return false;
    }
    language = header.language();
    lastSeq = header.sequence();
    return true;
  }

  /** Forgets the stream (another language was chosen). */
  void reset() {
    language = null;
    lastSeq = 0;
  }

  long lastSeq() {
    return lastSeq;
  }

  /**
   * Decodes the 16-byte header of a binary frame, or returns null when {@link
   * AudioFrame#readHeader} would refuse it (too short, another version, a language that is not two
   * ASCII letters). The language string is reused while it stays the same.
   */
  AudioFrame.Header read(Buffer frame) {
    if (frame.length() < AudioFrame.HEADER_BYTES || frame.getByte(0) != AudioFrame.VERSION) {
      return null;
    }
    byte a = frame.getByte(2);
    byte b = frame.getByte(3);
    if (!AudioFrame.isAsciiLetter(a) || !AudioFrame.isAsciiLetter(b)) {
      return null;
    }
    String lang = language;
    if (lang == null || lang.length() != 2 || lang.charAt(0) != a || lang.charAt(1) != b) {
      lang = new String(new char[] {(char) a, (char) b});
    }
    return new AudioFrame.Header(
        frame.getUnsignedByte(1), lang, frame.getUnsignedInt(4), frame.getLong(8));
  }
}
