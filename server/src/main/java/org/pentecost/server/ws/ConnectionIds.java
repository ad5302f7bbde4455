package org.pentecost.server.ws;

import java.security.SecureRandom;
import java.util.Base64;

/**
 * Connection ids that say which node holds the connection: base64url (no padding, 22 characters) of
 * 16 bytes, a 4-byte tag of the node then 12 random bytes. The tag is drawn at random when the node
 * starts, so a node that restarts never answers for its earlier connections; 12 random bytes keep
 * ids unguessable. The management API reads the tag to send a call for a connection to the one node
 * that may hold it (or to answer 410 at once when the tag is this node's and the connection is not
 * here).
 */
final class ConnectionIds {
  static final int LENGTH = 22;
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

  private final byte[] tag = new byte[4];
  private final long tagValue;

  ConnectionIds() {
    RANDOM.nextBytes(tag);
    tagValue =
        ((tag[0] & 0xffL) << 24)
            | ((tag[1] & 0xffL) << 16)
            | ((tag[2] & 0xffL) << 8)
            | tag[3] & 0xffL;
  }

  /** A new id of this node. */
  String next() {
    byte[] id = new byte[16];
    RANDOM.nextBytes(id);
    System.arraycopy(tag, 0, id, 0, tag.length);
    return ENCODER.encodeToString(id);
  }

  /** Whether {@code id} carries this node's tag. */
  boolean isOurs(String id) {
    return tagOf(id) == tagValue;
  }

  /**
   * The node tag {@code id} carries (an unsigned 32-bit value), or -1 when {@code id} is not a
   * connection id at all. Reads the first six characters only, without allocating.
   */
  static long tagOf(String id) {
    if (id == null || id.length() != LENGTH) {
      return -1;
    }
    long bits = 0;
    for (int i = 0; i < LENGTH; i++) {
      int v = sextet(id.charAt(i));
      if (v < 0) {
        return -1;
      }
      if (i < 6) {
        bits = (bits << 6) | v;
      }
    }
    // the last of 22 characters carries 2 bits of data and 4 of padding: those must be 0
    if ((sextet(id.charAt(LENGTH - 1)) & 0xf) != 0) {
      return -1;
    }
    return bits >>> 4; // 36 bits read, the tag is the first 32
  }

  private static int sextet(char c) {
    if (c >= 'A' && c <= 'Z') {
      return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
      return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
      return c - '0' + 52;
    }
    if (c == '-') {
      return 62;
    }
    if (c == '_') {
      return 63;
    }
    return -1;
  }
}
