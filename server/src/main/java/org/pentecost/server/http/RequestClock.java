package org.pentecost.server.http;

import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.server.error.ApiException;

/**
 * One HTTP connection's clock, against clients that open connections and never finish a request
 * (Slowloris). A request must arrive whole (request line, headers, body) within {@code
 * requestTimeout}, counted from the connection's start for its first request and from the first
 * byte for the later ones; a keep-alive connection that sends nothing for {@code keepAliveTimeout}
 * after a response is closed. A request cut off by the clock is answered 408 with the JSON error
 * body when nothing of a response has been written. The clock stops for good when the connection
 * becomes a WebSocket (101), whose own timers take over.
 *
 * <p>Two handlers share it: one ahead of the HTTP decoder sees bytes arrive, one behind it sees
 * whole requests and responses. Everything runs on the connection's event loop.
 */
final class RequestClock {
  private final ChannelPipeline pipeline;
  private final long requestTimeoutMillis;
  private final long keepAliveTimeoutMillis;
  private final Counter timeouts;
  private final Runnable released;
  private final Head head = new Head();
  private final Tail tail = new Tail();

  /** Requests whose response has not been written completely. */
  private int inFlight;

  /** Waiting between requests on a keep-alive connection (the keep-alive timer runs). */
  private boolean idle;

  /** A request has begun arriving and is not complete yet. */
  private boolean reading;

  private boolean released0;

  /**
   * When the clock runs out ({@link System#nanoTime()}), or 0 while it is stopped. Re-arming and
   * stopping only set this field: cancelling a Netty timer per request costs a removal from the
   * event loop's timer queue, a measurable share of a keep-alive request (docs/benchmarks.md).
   */
  private long deadline;

  /**
   * The one timer task, or null; it is never scheduled more than {@link #stepNanos} ahead, so that
   * arming the clock never has to bring it forward: when it fires before the deadline it schedules
   * itself again.
   */
  private ScheduledFuture<?> timer;

  /** The shorter of the two timeouts: the farthest a timer task is scheduled ahead. */
  private final long stepNanos;

  private RequestClock(
      ChannelPipeline pipeline,
      long requestTimeoutMillis,
      long keepAliveTimeoutMillis,
      Counter timeouts,
      Runnable released) {
    this.pipeline = pipeline;
    this.requestTimeoutMillis = requestTimeoutMillis;
    this.keepAliveTimeoutMillis = keepAliveTimeoutMillis;
    this.timeouts = timeouts;
    this.released = released;
    this.stepNanos =
        TimeUnit.MILLISECONDS.toNanos(
            Math.max(1, Math.min(requestTimeoutMillis, keepAliveTimeoutMillis)));
  }

  /**
   * Starts the clock of a new connection; {@code released} runs once, when its first request is
   * complete or it closes, whichever is first (the connection is no longer half-open).
   */
  static void install(
      ChannelPipeline pipeline,
      long requestTimeoutMillis,
      long keepAliveTimeoutMillis,
      Counter timeouts,
      Runnable released) {
    RequestClock clock =
        new RequestClock(
            pipeline, requestTimeoutMillis, keepAliveTimeoutMillis, timeouts, released);
    pipeline.addBefore("httpDecoder", "requestClockIn", clock.head);
    pipeline.addBefore("handler", "requestClock", clock.tail);
    clock.arm(requestTimeoutMillis);
  }

  private void arm(long millis) {
    long now = System.nanoTime();
    deadline = now + TimeUnit.MILLISECONDS.toNanos(millis);
    if (deadline == 0) {
      deadline = 1;
    }
    if (timer == null) {
      schedule(Math.min(deadline - now, stepNanos));
    }
  }

  private void schedule(long nanos) {
    timer = pipeline.channel().eventLoop().schedule(this::fired, nanos, TimeUnit.NANOSECONDS);
  }

  /** Stops the clock; the timer task, if any, finds nothing to do when it fires. */
  private void cancel() {
    deadline = 0;
  }

  /** Stops the clock for good (closed or upgraded): the timer task goes too. */
  private void stop() {
    deadline = 0;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void fired() {
    timer = null;
    if (deadline == 0) {
      return;
    }
    long left = deadline - System.nanoTime();
    if (left > 0) {
      schedule(Math.min(left, stepNanos));
      return;
    }
    deadline = 0;
    expired();
  }

  private void release() {
    if (!released0) {
      released0 = true;
      released.run();
    }
  }

  private void expired() {
    if (!pipeline.channel().isActive()) {
      return;
    }
    if (idle) {
      pipeline.channel().close(); // an idle keep-alive connection: nothing to answer
      return;
    }
    timeouts.increment();
    if (inFlight == 0 && reading) {
      ApiException error =
          new ApiException(
              ErrorCode.REQUEST_TIMEOUT, "the request did not arrive whole in time; closing");
      byte[] body = error.toJson().encode().getBytes(StandardCharsets.UTF_8);
      String headers =
          "HTTP/1.1 408 Request Timeout\r\nContent-Type: application/json\r\nContent-Length: "
              + body.length
              + "\r\nConnection: close\r\n\r\n";
      ByteBuf reply = Unpooled.buffer(headers.length() + body.length);
      reply.writeCharSequence(headers, StandardCharsets.ISO_8859_1);
      reply.writeBytes(body);
      // Written from the head of the pipeline, past the HTTP encoder, straight to the socket.
      pipeline.firstContext().writeAndFlush(reply).addListener(ChannelFutureListener.CLOSE);
    } else {
      pipeline.channel().close();
    }
  }

  /** Ahead of the decoder: the first bytes of a request on an idle keep-alive connection. */
  private final class Head extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!reading) {
        reading = true;
        if (idle) {
          idle = false;
          arm(requestTimeoutMillis);
        }
      }
      ctx.fireChannelRead(msg);
    }
  }

  /** Behind the decoder: whole requests in, whole responses out, and the upgrade. */
  private final class Tail extends ChannelDuplexHandler {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof HttpRequest request) {
        inFlight++;
        if (request.decoderResult().isFailure()) {
          reading = false;
          cancel(); // answered at once, and the connection closed
        }
      }
      if (msg instanceof LastHttpContent) {
        reading = false;
        cancel();
        release();
      }
      ctx.fireChannelRead(msg);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      if (msg instanceof HttpResponse response && response.status().code() == 101) {
        stop();
        release();
        ctx.write(msg, promise);
        if (pipeline.context(head) != null) {
          pipeline.remove(head);
        }
        pipeline.remove(this);
        return;
      }
      if (msg instanceof LastHttpContent) {
        promise = promise.unvoid();
        promise.addListener(
            f -> {
              inFlight = Math.max(0, inFlight - 1);
              if (inFlight > 0 || !pipeline.channel().isActive()) {
                return;
              }
              if (reading) {
                arm(requestTimeoutMillis); // a pipelined request is still arriving
              } else {
                idle = true;
                arm(keepAliveTimeoutMillis);
              }
            });
      }
      ctx.write(msg, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      stop();
      release();
      ctx.fireChannelInactive();
    }
  }
}
