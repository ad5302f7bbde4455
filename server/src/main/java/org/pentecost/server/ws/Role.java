package org.pentecost.server.ws;

import org.pentecost.protocol.Messages;

/** What a connection is in its session. */
public enum Role {
  SPEAKER(Messages.ROLE_SPEAKER),
  LISTENER(Messages.ROLE_LISTENER),
  WORKER(Messages.ROLE_WORKER);

  private final String wire;

  Role(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** The role named in a query, or null. */
  public static Role fromWire(String value) {
    for (Role r : values()) {
      if (r.wire.equals(value)) {
        return r;
      }
    }
    return null;
  }
}
