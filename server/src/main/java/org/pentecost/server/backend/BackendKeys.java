package org.pentecost.server.backend;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * The keys a backend presents to the management API ({@code Authorization: Bearer <key>}). Several
 * may be valid at once, for rotation. Every key is compared in constant time (and all of them,
 * whichever matches), and no key is ever logged.
 */
public final class BackendKeys {
  private final List<byte[]> keys;

  public BackendKeys(List<String> keys) {
    this.keys = keys.stream().map(k -> k.getBytes(StandardCharsets.UTF_8)).toList();
  }

  /** Whether any key is configured (without one the management API refuses every call). */
  public boolean any() {
    return !keys.isEmpty();
  }

  /** Whether {@code authorization} (the header's value) is {@code Bearer} and a valid key. */
  public boolean accepts(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] given = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    boolean match = false;
    for (byte[] key : keys) {
      match |= MessageDigest.isEqual(key, given);
    }
    return match;
  }
}
