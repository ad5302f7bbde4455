package org.pentecost.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/**
 * The audio frame header (docs/protocol.md, "Receiving") against arbitrary bytes: the reader either
 * returns a header within the documented ranges or throws {@link IllegalArgumentException}, never
 * anything else; every header the format can carry survives write then read; the writer refuses
 * what the format cannot carry instead of writing something else.
 */
class AudioFramePropertyTest {

  @Property
  void anyBytesGiveAHeaderOrTheDocumentedException(@ForAll("frames") byte[] frame) {
    AudioFrame.Header h;
    try {
      h = AudioFrame.readHeader(frame);
    } catch (IllegalArgumentException refused) {
      return;
    }
    assertWithinTheFormat(h);
    byte[] again = new byte[AudioFrame.HEADER_BYTES];
    AudioFrame.writeHeader(again, h.flags(), h.language(), h.sequence(), h.timestampMicros());
    assertThat(again).isEqualTo(Arrays.copyOf(frame, AudioFrame.HEADER_BYTES));
  }

  @Property
  void aBufferIsReadFromItsPositionInAnyByteOrderAndLeftAsItWas(
      @ForAll("frames") byte[] frame,
      @ForAll @IntRange(min = 0, max = 20) int skip,
      @ForAll boolean littleEndian) {
    ByteBuffer buffer = ByteBuffer.wrap(frame, Math.min(skip, frame.length), 0);
    buffer.limit(frame.length);
    buffer.order(littleEndian ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
    int position = buffer.position();
    byte[] rest = Arrays.copyOfRange(frame, position, frame.length);
    Object fromBuffer;
    Object fromArray;
    try {
      fromBuffer = AudioFrame.readHeader(buffer);
    } catch (IllegalArgumentException e) {
      fromBuffer = IllegalArgumentException.class;
    }
    try {
      fromArray = AudioFrame.readHeader(rest);
    } catch (IllegalArgumentException e) {
      fromArray = IllegalArgumentException.class;
    }
    assertThat(fromBuffer).isEqualTo(fromArray);
    assertThat(buffer.position()).isEqualTo(position);
  }

  @Property
  void everyHeaderTheFormatCarriesRoundTrips(
      @ForAll @IntRange(min = 0, max = 255) int flags,
      @ForAll("languages") String language,
      @ForAll @LongRange(min = 0, max = 0xFFFF_FFFFL) long sequence,
      @ForAll long timestampMicros,
      @ForAll("payloads") byte[] payload) {
    byte[] frame = AudioFrame.encode(flags, language, sequence, timestampMicros, payload);
    assertThat(frame).hasSize(AudioFrame.HEADER_BYTES + payload.length);
    assertThat(AudioFrame.readHeader(frame))
        .isEqualTo(new AudioFrame.Header(flags, language, sequence, timestampMicros));
    assertThat(Arrays.copyOfRange(frame, AudioFrame.HEADER_BYTES, frame.length)).isEqualTo(payload);
  }

  @Property
  void theWriterRefusesWhatTheFormatCannotCarry(@ForAll("impossibleHeaders") Object[] header) {
    byte[] out = new byte[AudioFrame.HEADER_BYTES];
    assertThatThrownBy(
            () ->
                AudioFrame.writeHeader(
                    out, (int) header[0], (String) header[1], (long) header[2], 0L))
        .isInstanceOf(IllegalArgumentException.class);
  }

  private static void assertWithinTheFormat(AudioFrame.Header h) {
    assertThat(h.flags()).isBetween(0, 255);
    assertThat(h.sequence()).isBetween(0L, 0xFFFF_FFFFL);
    assertThat(h.language()).matches("[A-Za-z]{2}");
  }

  /** Arbitrary bytes, half of them starting like a frame so that the reader goes all the way. */
  @Provide
  Arbitrary<byte[]> frames() {
    Arbitrary<byte[]> any = Arbitraries.bytes().array(byte[].class).ofMaxSize(40);
    Arbitrary<byte[]> versioned =
        any.filter(b -> b.length > 0)
            .map(
                b -> {
                  b[0] = AudioFrame.VERSION;
                  return b;
                });
    Arbitrary<byte[]> lettered =
        Combinators.combine(versioned, languages())
            .as(
                (b, lang) -> {
                  if (b.length >= 4) {
                    b[2] = (byte) lang.charAt(0);
                    b[3] = (byte) lang.charAt(1);
                  }
                  return b;
                });
    return Arbitraries.oneOf(any, versioned, lettered);
  }

  @Provide
  Arbitrary<String> languages() {
    return Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z').ofLength(2);
  }

  @Provide
  Arbitrary<byte[]> payloads() {
    return Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
  }

  /** Flags, language and sequence of which at least one is outside the format. */
  @Provide
  Arbitrary<Object[]> impossibleHeaders() {
    Arbitrary<Integer> goodFlags = Arbitraries.integers().between(0, 255);
    Arbitrary<Integer> badFlags =
        Arbitraries.oneOf(
            Arbitraries.integers().lessOrEqual(-1), Arbitraries.integers().greaterOrEqual(256));
    Arbitrary<String> badLanguages =
        Arbitraries.oneOf(
            Arbitraries.strings().ofMaxLength(1),
            Arbitraries.strings().ofMinLength(3).ofMaxLength(8),
            Arbitraries.strings().all().ofLength(2).filter(s -> !s.matches("[A-Za-z]{2}")));
    Arbitrary<Long> goodSeq = Arbitraries.longs().between(0, 0xFFFF_FFFFL);
    Arbitrary<Long> badSeq =
        Arbitraries.oneOf(
            Arbitraries.longs().lessOrEqual(-1), Arbitraries.longs().greaterOrEqual(1L << 32));
    return Arbitraries.oneOf(
        Combinators.combine(badFlags, languages(), goodSeq).as((f, l, s) -> new Object[] {f, l, s}),
        Combinators.combine(goodFlags, badLanguages, goodSeq)
            .as((f, l, s) -> new Object[] {f, l, s}),
        Combinators.combine(goodFlags, languages(), badSeq)
            .as((f, l, s) -> new Object[] {f, l, s}));
  }
}
