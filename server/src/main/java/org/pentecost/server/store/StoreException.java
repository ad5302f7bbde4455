package org.pentecost.server.store;

/** The store failed or is unavailable; the HTTP layer answers 503. */
public final class StoreException extends RuntimeException {
  public StoreException(String message) {
    super(message);
  }

  public StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
