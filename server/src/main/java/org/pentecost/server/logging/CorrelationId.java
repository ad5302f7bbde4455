package org.pentecost.server.logging;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.spi.context.storage.ContextLocal;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/**
 * The correlation id of the request being handled, kept in the request's Vert.x (duplicated)
 * context so that it follows the request through every asynchronous step, and so onto every log
 * line written on its behalf (see {@link CorrelationIdTurboFilter}).
 */
public final class CorrelationId {
  public static final String HEADER = "X-Correlation-Id";
  public static final String MDC_KEY = "correlationId";

  /** Registered at class load, which {@code PentecostServer} forces before creating Vert.x. */
  private static final ContextLocal<String> LOCAL = ContextLocal.registerLocal(String.class);

  /** What a client may send us as its own id: short, printable, no log-injection characters. */
  private static final Pattern ACCEPTED = Pattern.compile("[A-Za-z0-9._:\\-]{1,128}");

  private CorrelationId() {}

  /** Makes sure the class (and so its context local) is loaded; call before creating Vert.x. */
  public static void init() {
    // Loading the class registers LOCAL.
  }

  /** The client's id if it is acceptable, otherwise a fresh one. */
  public static String acceptOrCreate(String fromClient) {
    if (fromClient != null && ACCEPTED.matcher(fromClient).matches()) {
      return fromClient;
    }
    return fresh();
  }

  /**
   * A new id in the form of a random (version 4) UUID. It names a request in the logs and is no
   * secret, so it comes from {@link ThreadLocalRandom}: {@link UUID#randomUUID()} reads the
   * operating system's secure random source, a measurable share of a {@code GET /sessions/{id}}.
   */
  static String fresh() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long msb = (random.nextLong() & ~0xF000L) | 0x4000L;
    long lsb = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb).toString();
  }

  /** Binds an id to the current context (the request's duplicated context). */
  public static void bind(String id) {
    Context ctx = Vertx.currentContext();
    if (ctx != null) {
      ctx.putLocal(LOCAL, id);
    }
  }

  /** The id bound to the current context, or null outside a request. */
  public static String current() {
    Context ctx = Vertx.currentContext();
    return ctx == null ? null : ctx.getLocal(LOCAL);
  }
}
