package org.pentecost.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.MDC;
import org.slf4j.Marker;

/**
 * Copies the current request's correlation id into the MDC just before each log event is built, on
 * the logging thread. Thread-local MDC alone would not follow a request across asynchronous steps
 * on an event loop; the Vert.x context does.
 */
public final class CorrelationIdTurboFilter extends TurboFilter {
  @Override
  public FilterReply decide(
      Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (format == null && params == null && t == null) {
      return FilterReply.NEUTRAL; // an isXxxEnabled() check: no event is built, the MDC can wait
    }
    String id = CorrelationId.current();
    if (id != null) {
      MDC.put(CorrelationId.MDC_KEY, id);
    } else {
      MDC.remove(CorrelationId.MDC_KEY);
    }
    return FilterReply.NEUTRAL;
  }
}
