package org.pentecost.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.pentecost.protocol.AudioFrame;

/**
 * The client's reader of server audio frames against arbitrary bytes: it never throws, and it reads
 * exactly what the protocol's reader reads (a frame the protocol refuses is dropped, null),
 * whatever frames came before it (it reuses the language of the last one).
 */
class FrameFilterPropertyTest {

  @Property
  void readsWhatTheProtocolReadsAndDropsWhatItRefuses(
      @ForAll("streams") List<byte[]> frames, @ForAll boolean armed) {
    FrameFilter filter = new FrameFilter();
    for (byte[] frame : frames) {
      AudioFrame.Header expected;
      try {
        expected = AudioFrame.readHeader(frame);
      } catch (IllegalArgumentException refused) {
        expected = null;
      }
      AudioFrame.Header read = filter.read(Buffer.buffer(frame));
      assertThat(read).isEqualTo(expected);
      if (read != null) {
        filter.accept(read, armed);
      }
    }
  }

  @Property
  void armedItNeverDeliversAFrameTwice(@ForAll("streams") List<byte[]> frames) {
    FrameFilter filter = new FrameFilter();
    String language = null;
    long last = 0;
    for (byte[] frame : frames) {
      AudioFrame.Header h = filter.read(Buffer.buffer(frame));
      if (h == null || !filter.accept(h, true)) {
        continue;
      }
      if (h.language().equals(language) && !h.discontinuity()) {
        assertThat(h.sequence()).isGreaterThan(last);
      }
      language = h.language();
      last = h.sequence();
      assertThat(filter.lastSeq()).isEqualTo(last);
    }
  }

  /** Frames of a few streams, mixed with damaged and arbitrary bytes. */
  @Provide
  Arbitrary<List<byte[]>> streams() {
    Arbitrary<String> language =
        Arbitraries.oneOf(
            Arbitraries.of("es", "fr", "ES"),
            Arbitraries.strings().all().ofLength(2),
            Arbitraries.strings().withCharRange('\u0080', '\u00ff').ofLength(2));
    Arbitrary<byte[]> wellFormed =
        Combinators.combine(
                Arbitraries.integers().between(0, 3),
                Arbitraries.of("es", "fr", "ES"),
                Arbitraries.longs().between(0, 40),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(8))
            .as((flags, lang, seq, payload) -> AudioFrame.encode(flags, lang, seq, 0, payload));
    Arbitrary<byte[]> anyLanguage =
        Combinators.combine(wellFormed, language)
            .as(
                (frame, lang) -> {
                  frame[2] = (byte) lang.charAt(0);
                  frame[3] = (byte) lang.charAt(1);
                  return frame;
                });
    Arbitrary<byte[]> damaged =
        Combinators.combine(
                wellFormed,
                Arbitraries.integers().between(0, AudioFrame.HEADER_BYTES - 1),
                Arbitraries.bytes())
            .as(
                (frame, at, b) -> {
                  frame[at] = b;
                  return frame;
                });
    Arbitrary<byte[]> arbitrary = Arbitraries.bytes().array(byte[].class).ofMaxSize(24);
    return Arbitraries.frequencyOf(
            net.jqwik.api.Tuple.of(4, wellFormed),
            net.jqwik.api.Tuple.of(2, anyLanguage),
            net.jqwik.api.Tuple.of(2, damaged),
            net.jqwik.api.Tuple.of(1, arbitrary))
        .list()
        .ofMaxSize(30);
  }
}
