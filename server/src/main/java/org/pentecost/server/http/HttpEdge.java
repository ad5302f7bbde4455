package org.pentecost.server.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.Http1xServerConnection;
import io.vertx.core.http.impl.VertxHttpRequestDecoder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.server.config.PentecostConfig;
import org.pentecost.server.error.ApiException;
import org.pentecost.server.util.Cidr;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP edge of a node: what a client can do before its request reaches the router. Every
 * connection gets a {@link RequestClock} (a request must arrive whole within {@code
 * server.requestTimeout}, an idle keep-alive connection closes after {@code
 * server.keepAliveTimeout}), a cap on the connections one IP holds before their first request is
 * complete ({@code server.pendingConnectionsPerIp}), and a request decoder that refuses {@code
 * Content-Length} together with {@code Transfer-Encoding} (request smuggling, RFC 9112 §6.3).
 * Requests the decoder refuses are answered with the JSON error body and a close.
 *
 * <p>HTTP/2 cleartext (h2c upgrade and prior knowledge) is off: the node speaks HTTP/1.1, which is
 * all browsers and WebSocket clients use without TLS; a TLS proxy in front may offer HTTP/2.
 *
 * <p>This class and {@link RequestClock} are the only ones here that reach into Vert.x's internals
 * and Netty's pipeline.
 */
public final class HttpEdge {
  private static final Logger LOG = LoggerFactory.getLogger(HttpEdge.class);

  private final PentecostConfig config;
  private final long requestTimeoutMillis;
  private final long keepAliveTimeoutMillis;
  private final int pendingPerIp;
  private final List<Cidr> exempt;
  private final ConcurrentHashMap<InetAddress, Integer> pending = new ConcurrentHashMap<>();
  private final Counter timeouts;
  private final Counter refused;
  private final Counter invalid;

  /**
   * The limits the request decoder reads (line and header sizes); built once, not per connection.
   */
  private final HttpServerOptions decoderOptions;

  public HttpEdge(PentecostConfig config, MeterRegistry registry) {
    this.config = config;
    this.requestTimeoutMillis = Math.max(1, config.server().requestTimeout().toMillis());
    this.keepAliveTimeoutMillis = Math.max(1, config.server().keepAliveTimeout().toMillis());
    this.pendingPerIp = config.server().pendingConnectionsPerIp();
    this.exempt =
        Cidr.parseAll(
            java.util.stream.Stream.concat(
                    config.server().trustedProxies().stream(),
                    config.limits().trustedNetworks().stream())
                .toList());
    this.timeouts =
        Counter.builder("pentecost.http.request.timeouts")
            .description(
                "HTTP connections closed because a request did not arrive whole within"
                    + " server.requestTimeout")
            .register(registry);
    this.refused =
        Counter.builder("pentecost.http.pending.refused")
            .description(
                "Connections refused because their IP already held server.pendingConnectionsPerIp"
                    + " connections without a complete request")
            .register(registry);
    this.invalid =
        Counter.builder("pentecost.http.invalid.requests")
            .description("Requests the HTTP decoder refused (400, 414, 431)")
            .register(registry);
    this.decoderOptions = options(0);
  }

  /** The options of every HTTP server instance of the node, listening on {@code port}. */
  public HttpServerOptions options(int port) {
    PentecostConfig.Connections ws = config.connections();
    return new HttpServerOptions()
        .setHost(config.server().host())
        .setPort(port)
        .setHttp2ClearTextEnabled(false)
        .setCompressionSupported(false)
        .setPerMessageWebSocketCompressionSupported(false)
        .setPerFrameWebSocketCompressionSupported(false)
        .setSendBufferSize(ws.socketSendBufferBytes())
        .setWebSocketClosingTimeout((int) Math.max(1, ws.closeHandshakeTimeout().toSeconds()))
        // Netty's decoder refuses a longer frame when it reads the frame's header, before any of
        // its payload is buffered; the gateway answers that with MESSAGE_TOO_LARGE and 1009.
        .setMaxWebSocketFrameSize(ws.maxFrameBytes())
        .setMaxWebSocketMessageSize(ws.maxMessageBytes());
  }

  /** A new connection: counted against its IP, timed, and given the strict decoder. */
  public void connected(HttpConnection connection) {
    if (!(connection instanceof Http1xServerConnection http1)) {
      return;
    }
    ChannelPipeline pipeline = http1.channelHandlerContext().pipeline();
    InetAddress ip =
        pipeline.channel().remoteAddress() instanceof InetSocketAddress address
            ? address.getAddress()
            : null;
    boolean counted = ip != null && !Cidr.anyContains(exempt, ip);
    if (counted && !takePending(ip)) {
      refused.increment();
      LOG.debug("refused a connection from {}: too many unfinished requests", ip.getHostAddress());
      pipeline.channel().close();
      return;
    }
    if (pipeline.get("httpDecoder") != null) {
      pipeline.replace("httpDecoder", "httpDecoder", new StrictRequestDecoder(decoderOptions));
    }
    RequestClock.install(
        pipeline,
        requestTimeoutMillis,
        keepAliveTimeoutMillis,
        timeouts,
        counted ? () -> releasePending(ip) : () -> {});
  }

  private boolean takePending(InetAddress ip) {
    boolean[] taken = {false};
    pending.compute(
        ip,
        (k, n) -> {
          int held = n == null ? 0 : n;
          if (held >= pendingPerIp) {
            return n;
          }
          taken[0] = true;
          return held + 1;
        });
    return taken[0];
  }

  private void releasePending(InetAddress ip) {
    pending.computeIfPresent(ip, (k, n) -> n <= 1 ? null : n - 1);
  }

  /**
   * A request the decoder refused: 414 for a request line, 431 for headers over the limits, 400 for
   * anything else (including {@code Content-Length} with {@code Transfer-Encoding}), each with the
   * JSON error body, and the connection closed: what follows on it cannot be trusted.
   */
  public void invalidRequest(HttpServerRequest request) {
    invalid.increment();
    Throwable cause = request.decoderResult().cause();
    ApiException error;
    if (cause instanceof TooLongHttpLineException) {
      error = new ApiException(ErrorCode.URI_TOO_LONG, "the request line is too long");
    } else if (cause instanceof TooLongHttpHeaderException
        || cause instanceof TooLongFrameException) {
      error = new ApiException(ErrorCode.HEADERS_TOO_LARGE, "the request headers are too large");
    } else if (cause instanceof AmbiguousLength) {
      error = new ApiException(ErrorCode.INVALID_REQUEST, cause.getMessage());
    } else {
      error = new ApiException(ErrorCode.INVALID_REQUEST, "malformed HTTP request");
    }
    LOG.debug("invalid HTTP request: {}", cause == null ? "?" : cause.toString());
    request
        .response()
        .setStatusCode(error.code().httpStatus())
        .putHeader("Content-Type", "application/json")
        .putHeader("Connection", "close")
        .end(error.toJson().encode())
        .onComplete(v -> request.connection().close());
  }

  /** Content-Length together with Transfer-Encoding. */
  static final class AmbiguousLength extends RuntimeException {
    AmbiguousLength() {
      super(
          "Content-Length together with Transfer-Encoding is refused (RFC 9112 section 6.3)",
          null,
          false,
          false);
    }
  }

  /**
   * Vert.x's request decoder, except that a request with both {@code Content-Length} and {@code
   * Transfer-Encoding} becomes an invalid request (Netty's own choice is to drop the length and
   * read the body as chunked, which a proxy in front may have read differently). Netty discards
   * everything after an invalid request, so a request smuggled behind it is never answered.
   */
  private static final class StrictRequestDecoder extends VertxHttpRequestDecoder {
    StrictRequestDecoder(HttpServerOptions options) {
      super(options);
    }

    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
      throw new AmbiguousLength();
    }
  }
}
