package org.pentecost.server.auth;

/** Reads {@code Authorization: Bearer <token>}. */
public final class BearerToken {
  private BearerToken() {}

  /** The token of a bearer header, or null for no header or another scheme. */
  public static String fromHeader(String header) {
    if (header == null) {
      return null;
    }
    String h = header.trim();
    return h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).trim() : null;
  }
}
