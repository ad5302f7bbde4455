package org.pentecost.server.config;

/** A configuration problem that stops the server from starting; the message is for the operator. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
