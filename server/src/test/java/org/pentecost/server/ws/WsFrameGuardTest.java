package org.pentecost.server.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.Utf8FrameValidator;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameDecoder;
import io.netty.handler.codec.http.websocketx.WebSocket13FrameEncoder;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pentecost.server.config.ConfigLoader;
import org.pentecost.server.testing.RawSocket;

/**
 * The reading side of a connection, fed bytes with no server: the frame decoder as the node
 * configures it, the UTF-8 check and {@link WsFrameGuard}, in a Netty {@code EmbeddedChannel}. What
 * the client sent wrong is answered with an {@code error} and the close code, and nothing it sends
 * after that goes further.
 */
class WsFrameGuardTest {
  private static final int MAX_FRAME = 1024;

  private final EmbeddedChannel channel =
      new EmbeddedChannel(
          new WebSocket13FrameDecoder(
              WebSocketDecoderConfig.newBuilder()
                  .maxFramePayloadLength(MAX_FRAME)
                  .expectMaskedFrames(true)
                  .allowMaskMismatch(false)
                  .closeOnProtocolViolation(false)
                  .build()),
          new WebSocket13FrameEncoder(false),
          new Utf8FrameValidator(false),
          new WsFrameGuard(
              new ConnectionLimits(
                  new ConfigLoader()
                      .env(Map.of())
                      .flag("connections.maxFrameBytes", MAX_FRAME)
                      .flag("connections.closeHandshakeTimeout", "60s")
                      .load(),
                  new SimpleMeterRegistry())));

  /** Bytes from the client, as they would arrive on the socket. */
  private void receive(byte[]... parts) {
    for (byte[] part : parts) {
      channel.writeInbound(Unpooled.wrappedBuffer(part));
    }
  }

  private static byte[] masked(int opcode, byte[] payload) {
    byte[] header = RawSocket.frameHeader(opcode, true, payload.length, true);
    byte[] frame = new byte[header.length + payload.length];
    System.arraycopy(header, 0, frame, 0, header.length);
    System.arraycopy(payload, 0, frame, header.length, payload.length); // an all-zero mask
    return frame;
  }

  /** The frames that passed the guard, on their way to Vert.x. */
  private List<WebSocketFrame> passed() {
    List<WebSocketFrame> frames = new ArrayList<>();
    Object m;
    while ((m = channel.readInbound()) != null) {
      frames.add((WebSocketFrame) m);
    }
    return frames;
  }

  /** What the node sent back, decoded as a client would. */
  private List<WebSocketFrame> answered() {
    EmbeddedChannel client =
        new EmbeddedChannel(
            new WebSocket13FrameDecoder(
                WebSocketDecoderConfig.newBuilder().expectMaskedFrames(false).build()));
    Object m;
    while ((m = channel.readOutbound()) != null) {
      client.writeInbound((ByteBuf) m);
    }
    List<WebSocketFrame> frames = new ArrayList<>();
    while ((m = client.readInbound()) != null) {
      frames.add((WebSocketFrame) m);
    }
    return frames;
  }

  private void assertAnswered(String code, int close) {
    List<WebSocketFrame> out = answered();
    assertThat(out).hasSize(2);
    assertThat(((TextWebSocketFrame) out.get(0)).text()).contains("\"code\":\"" + code + "\"");
    assertThat(((CloseWebSocketFrame) out.get(1)).statusCode()).isEqualTo(close);
    receive(masked(RawSocket.TEXT, "{\"action\":\"heartbeat\"}".getBytes(StandardCharsets.UTF_8)));
    assertThat(passed()).as("nothing after the violation goes further").isEmpty();
  }

  @Test
  void wellFormedFramesPassUntouched() {
    receive(masked(RawSocket.TEXT, "{\"action\":\"heartbeat\"}".getBytes(StandardCharsets.UTF_8)));
    List<WebSocketFrame> frames = passed();
    assertThat(frames).hasSize(1);
    assertThat(((TextWebSocketFrame) frames.get(0)).text()).isEqualTo("{\"action\":\"heartbeat\"}");
    assertThat(answered()).isEmpty();
  }

  @Test
  void aFrameOverTheLimitIsRefusedFromItsHeaderAlone() {
    // Only the header of a 64 MiB frame: it is answered before any of the payload arrives.
    receive(RawSocket.frameHeader(RawSocket.BINARY, true, 64L << 20, true));
    assertAnswered("MESSAGE_TOO_LARGE", 1009);
  }

  @Test
  void invalidUtf8IsClosedWith1007() {
    receive(masked(RawSocket.TEXT, new byte[] {'{', (byte) 0xc3, (byte) 0x28, '}'}));
    assertAnswered("INVALID_REQUEST", 1007);
  }

  @Test
  void invalidUtf8SplitAcrossFragmentsIsClosedWith1007() {
    byte[] first = RawSocket.frameHeader(RawSocket.TEXT, false, 2, true);
    byte[] second = RawSocket.frameHeader(RawSocket.CONTINUATION, true, 1, true);
    receive(first, new byte[] {'{', (byte) 0xe2});
    assertThat(passed()).as("a valid start of a character may end in the next fragment").hasSize(1);
    receive(second, new byte[] {'}'});
    assertAnswered("INVALID_REQUEST", 1007);
  }

  @Test
  void brokenFramingIsClosedWith1002() {
    receive(RawSocket.frameHeader(RawSocket.TEXT, true, 2, false), new byte[] {'h', 'i'});
    assertAnswered("INVALID_REQUEST", 1002);
  }

  @Test
  void aFragmentedPingIsClosedWith1002() {
    receive(RawSocket.frameHeader(RawSocket.PING, false, 0, true));
    assertAnswered("INVALID_REQUEST", 1002);
  }
}
