package org.pentecost.server.error;

/**
 * A backend that holds shared state (the session store, the listener counts, Redis) failed or is
 * unavailable: a timeout, a refused connection, an error reply. The session service answers it with
 * {@code SERVICE_UNAVAILABLE} (HTTP 503).
 */
public final class StoreException extends RuntimeException {
  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
