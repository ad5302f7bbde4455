package org.pentecost.protocol;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The binary frame a listener receives: a fixed 16-byte header, then the audio payload exactly as
 * the speaker (or a translation worker) sent it. Big-endian.
 *
 * <pre>
 *  0               1               2               3
 *  0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7 0 1 2 3 4 5 6 7
 * +---------------+---------------+---------------+---------------+
 * |  version = 1  |     flags     |   language (2 ASCII letters)  |  0
 * +---------------+---------------+---------------+---------------+
 * |               sequence number (unsigned 32, from 1)           |  4
 * +---------------+---------------+---------------+---------------+
 * |          server timestamp (epoch microseconds, signed 64)     |  8
 * |                                                               | 12
 * +---------------+---------------+---------------+---------------+
 * |  payload ...                                                  | 16
 * </pre>
 *
 * <p>The sequence number counts the frames of one stream (one session and language) without gaps: a
 * listener that sees {@code n} then {@code n+2} lost frame {@code n+1}. The timestamp is when the
 * server received the frame. Flags: {@link #FLAG_DISCONTINUITY} marks the first frame after frames
 * were skipped on purpose (a slow listener jumped to live, or a resume beyond the replay window),
 * so a player resets its buffer instead of reporting loss; {@link #FLAG_REPLAY} marks frames
 * re-sent from the replay window after a resume.
 *
 * <p>Speakers and workers send raw payloads (no header); the server adds it.
 */
public final class AudioFrame {
  public static final int HEADER_BYTES = 16;
  public static final byte VERSION = 1;
  public static final int FLAG_DISCONTINUITY = 1;
  public static final int FLAG_REPLAY = 2;

  private AudioFrame() {}

  /**
   * Writes a header into the first {@link #HEADER_BYTES} of {@code out}.
   *
   * @throws IllegalArgumentException when a field does not fit the format: flags outside 0–255, a
   *     language that is not two ASCII letters, a sequence outside 0–2<sup>32</sup>−1
   */
  public static void writeHeader(
      byte[] out, int flags, String language, long sequence, long timestampMicros) {
    if (flags < 0 || flags > 0xff) {
      throw new IllegalArgumentException("audio frame flags out of range: " + flags);
    }
    if (language == null
        || language.length() != 2
        || !isAsciiLetter(language.charAt(0))
        || !isAsciiLetter(language.charAt(1))) {
      throw new IllegalArgumentException("audio frame language must be two ASCII letters");
    }
    if (sequence < 0 || sequence > 0xffff_ffffL) {
      throw new IllegalArgumentException("audio frame sequence out of range: " + sequence);
    }
    ByteBuffer b = ByteBuffer.wrap(out, 0, HEADER_BYTES);
    b.put(VERSION);
    b.put((byte) flags);
    b.put((byte) language.charAt(0));
    b.put((byte) language.charAt(1));
    b.putInt((int) sequence);
    b.putLong(timestampMicros);
  }

  /** A whole frame: header and payload. */
  public static byte[] encode(
      int flags, String language, long sequence, long timestampMicros, byte[] payload) {
    byte[] out = new byte[HEADER_BYTES + payload.length];
    writeHeader(out, flags, language, sequence, timestampMicros);
    System.arraycopy(payload, 0, out, HEADER_BYTES, payload.length);
    return out;
  }

  /** A decoded header; {@code payloadOffset} is always {@link #HEADER_BYTES}. */
  public record Header(int flags, String language, long sequence, long timestampMicros) {
    public boolean discontinuity() {
      return (flags & FLAG_DISCONTINUITY) != 0;
    }

    public boolean replay() {
      return (flags & FLAG_REPLAY) != 0;
    }
  }

  /**
   * Reads the header of a frame.
   *
   * @throws IllegalArgumentException on a frame shorter than the header, an unknown version, or a
   *     language that is not two ASCII letters; nothing else
   */
  public static Header readHeader(byte[] frame) {
    return readHeader(ByteBuffer.wrap(frame));
  }

  public static Header readHeader(ByteBuffer frame) {
    if (frame.remaining() < HEADER_BYTES) {
      throw new IllegalArgumentException("audio frame shorter than its header");
    }
    ByteBuffer b = frame.duplicate();
    byte version = b.get();
    if (version != VERSION) {
      throw new IllegalArgumentException("unknown audio frame version " + version);
    }
    int flags = b.get() & 0xff;
    byte[] lang = {b.get(), b.get()};
    if (!isAsciiLetter(lang[0]) || !isAsciiLetter(lang[1])) {
      throw new IllegalArgumentException("audio frame language is not two ASCII letters");
    }
    long sequence = b.getInt() & 0xffffffffL;
    long timestamp = b.getLong();
    return new Header(flags, new String(lang, StandardCharsets.US_ASCII), sequence, timestamp);
  }

  /** Whether {@code c} is one of {@code A-Z a-z}: the letters a language code is made of. */
  public static boolean isAsciiLetter(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }
}
