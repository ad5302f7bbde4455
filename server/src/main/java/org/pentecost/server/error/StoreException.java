package org.pentecost.server.error;

/**
 * A backend that holds shared state (the session store, the listener counts, Redis) failed or is
 * unavailable: a timeout, a refused connection, an error reply. The session service answers it with
 * {@code SERVICE_UNAVAILABLE} (HTTP 503).
 */
public final class StoreException extends RuntimeException {
  private final boolean logged;

  public StoreException(String message) {
    this(message, null, false);
  }

  public StoreException(String message, Throwable cause) {
    this(message, cause, false);
  }

  private StoreException(String message, Throwable cause, boolean logged) {
    super(message, cause);
    this.logged = logged;
  }

  /**
   * A failure the store has already logged once for the whole outage (a full disk, say): callers
   * answer 503 without a log line per request.
   */
  public static StoreException alreadyLogged(String message, Throwable cause) {
    return new StoreException(message, cause, true);
  }

  /** True if the store logged this outage itself; see {@link #alreadyLogged}. */
  public boolean isAlreadyLogged() {
    return logged;
  }
}
