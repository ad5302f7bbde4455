package org.pentecost.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.buffer.Buffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.pentecost.protocol.AudioFrame;
import org.pentecost.server.cluster.Broker.Frame;

class FrameCodecTest {
  private static final String S = "blessed-shepherd-427";

  private static Buffer audio(int payloadBytes) {
    Buffer b = Buffer.buffer();
    for (int i = 0; i < AudioFrame.HEADER_BYTES + payloadBytes; i++) {
      b.appendByte((byte) (i * 7));
    }
    return b;
  }

  private static Frame frame(String origin, long seq, int payloadBytes) {
    return new Frame(S, "fr", origin, seq, 20_000, audio(payloadBytes));
  }

  @Test
  void aFrameRoundTrips() {
    for (Frame f :
        new Frame[] {
          frame("web-1-3fa9", 1, 640),
          frame("web-1-3fa9", 0xFFFF_FFFFL, 0),
          frame("nœud-été-ü", 42, 3),
          frame("n".repeat(FrameCodec.MAX_ORIGIN_BYTES), 7, 1)
        }) {
      assertThat(FrameCodec.decode(S, "fr", FrameCodec.encode(f))).isEqualTo(f);
    }
  }

  @Test
  void theBytesAreOriginSeqDurationThenTheAudio() {
    Frame f = frame("web-2", 513, 4);
    Buffer b = FrameCodec.encode(f);
    assertThat(b.length()).isEqualTo(1 + 5 + 8 + 8 + AudioFrame.HEADER_BYTES + 4);
    assertThat((int) b.getUnsignedByte(0)).isEqualTo(5);
    assertThat(b.getString(1, 6, "UTF-8")).isEqualTo("web-2");
    assertThat(b.getLong(6)).isEqualTo(513);
    assertThat(b.getLong(14)).isEqualTo(20_000);
    assertThat(b.getBuffer(22, b.length())).isEqualTo(f.audio());
  }

  @Test
  void aNodeKnowsItsOwnFrames() {
    byte[] me = FrameCodec.origin("web-1");
    assertThat(FrameCodec.isFrom(FrameCodec.encode(frame("web-1", 1, 2)), me)).isTrue();
    assertThat(FrameCodec.isFrom(FrameCodec.encode(frame("web-2", 1, 2)), me)).isFalse();
    assertThat(FrameCodec.isFrom(FrameCodec.encode(frame("web-10", 1, 2)), me)).isFalse();
    assertThat(FrameCodec.isFrom(Buffer.buffer(), me)).isFalse();
    assertThat(FrameCodec.isFrom(Buffer.buffer(new byte[] {5, 'w', 'e'}), me)).isFalse();
  }

  @Test
  void bytesCutShortAreRefused() {
    Buffer whole = FrameCodec.encode(frame("web-1", 9, 0));
    for (int n = 0; n < whole.length(); n++) {
      Buffer cut = whole.getBuffer(0, n);
      assertThatThrownBy(() -> FrameCodec.decode(S, "fr", cut))
          .as("%d of %d bytes", n, whole.length())
          .isInstanceOf(IllegalArgumentException.class);
    }
    // an origin length that runs past the end
    Buffer lying = Buffer.buffer().appendByte((byte) 200).appendBytes(new byte[40]);
    assertThatThrownBy(() -> FrameCodec.decode(S, "fr", lying))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void aNodeIdTooLongForAFrameIsRefused() {
    String tooLong = "é".repeat(128); // 256 bytes in UTF-8
    assertThat(tooLong.getBytes(StandardCharsets.UTF_8)).hasSize(256);
    assertThatThrownBy(() -> FrameCodec.origin(tooLong))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> FrameCodec.encode(frame(tooLong, 1, 1)))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
