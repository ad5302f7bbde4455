package org.pentecost.server.broadcast;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.vertx.core.buffer.Buffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pentecost.protocol.AudioFrame;

/** Frames encoded once must be what a standard WebSocket client decodes, at every length. */
class WireFrameTest {

  @ParameterizedTest
  @ValueSource(ints = {0, 1, 109, 110, 160, 640, 65_519, 65_520, 100_000})
  void aClientDecodesTheFrameAndItsFlags(int payloadBytes) {
    byte[] header = new byte[AudioFrame.HEADER_BYTES];
    AudioFrame.writeHeader(header, 0, "en", 42, 1_700_000_000_000_000L);
    byte[] payload = new byte[payloadBytes];
    for (int i = 0; i < payload.length; i++) {
      payload[i] = (byte) (i * 31);
    }
    WireFrame frame = WireFrame.encode(header, Buffer.buffer(payload));

    byte[] plain = decode(frame.forWrite());
    assertThat(Arrays.copyOfRange(plain, 16, plain.length)).isEqualTo(payload);
    AudioFrame.Header h = AudioFrame.readHeader(plain);
    assertThat(h.sequence()).isEqualTo(42);
    assertThat(h.flags()).isZero();

    // A flagged copy leaves the shared original alone, and two writes see the same bytes.
    byte[] replayed = decode(frame.withFlags(AudioFrame.FLAG_REPLAY).forWrite());
    assertThat(AudioFrame.readHeader(replayed).flags()).isEqualTo(AudioFrame.FLAG_REPLAY);
    assertThat(decode(frame.forWrite())).isEqualTo(plain);
    assertThat(frame.audio().getBytes()).isEqualTo(plain);
  }

  @Test
  void flagsAddUpAndLeaveTheRestOfTheHeaderAlone() {
    byte[] header = new byte[AudioFrame.HEADER_BYTES];
    AudioFrame.writeHeader(header, 0, "es", 7, 1_700_000_000_000_000L);
    WireFrame frame = WireFrame.encode(header, Buffer.buffer(new byte[] {1, 2, 3}));

    WireFrame both =
        frame.withFlags(AudioFrame.FLAG_DISCONTINUITY).withFlags(AudioFrame.FLAG_REPLAY);
    byte[] plain = decode(both.forWrite());
    AudioFrame.Header h = AudioFrame.readHeader(plain);
    assertThat(h.discontinuity()).isTrue();
    assertThat(h.replay()).isTrue();
    assertThat(h.language()).isEqualTo("es");
    assertThat(h.sequence()).isEqualTo(7);
    assertThat(h.timestampMicros()).isEqualTo(1_700_000_000_000_000L);
    assertThat(Arrays.copyOfRange(plain, 16, plain.length)).containsExactly(1, 2, 3);
    assertThat(both.length()).isEqualTo(frame.length());
    assertThat(AudioFrame.readHeader(both.audio().getBytes()).flags())
        .isEqualTo(AudioFrame.FLAG_DISCONTINUITY | AudioFrame.FLAG_REPLAY);
  }

  private static byte[] decode(ByteBuf wire) {
    EmbeddedChannel client =
        new EmbeddedChannel(
            new WebSocket13FrameDecoder(
                WebSocketDecoderConfig.newBuilder()
                    .expectMaskedFrames(false)
                    .maxFramePayloadLength(1 << 20)
                    .build()));
    client.writeInbound(wire);
    BinaryWebSocketFrame f = client.readInbound();
    assertThat(f).isNotNull();
    byte[] bytes = ByteBufUtil.getBytes(f.content());
    f.release();
    assertThat(client.finishAndReleaseAll()).isFalse();
    return bytes;
  }
}
