package org.pentecost.server.backend;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The signature on every request Pentecost makes to a backend, in the scheme Stripe uses: {@code
 * X-Pentecost-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>}. The time
 * stamp is signed with the body, so that a receiver can refuse a replay older than its tolerance;
 * {@link #verify} is what a receiver does (and what the tests do).
 */
public final class Signature {
  /** The request header that carries the signature. */
  public static final String HEADER = "X-Pentecost-Signature";

  private final SecretKeySpec key;

  public Signature(String secret) {
    this.key = new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256");
  }

  /** The header's value for {@code body} sent at {@code epochSeconds}. */
  public String header(long epochSeconds, byte[] body) {
    return "t=" + epochSeconds + ",v1=" + HexFormat.of().formatHex(mac(epochSeconds, body));
  }

  /**
   * Whether {@code header} signs {@code body} with this secret, at a time no further than {@code
   * toleranceSeconds} from {@code nowSeconds}. Compared in constant time.
   */
  public boolean verify(String header, byte[] body, long nowSeconds, long toleranceSeconds) {
    if (header == null) {
      return false;
    }
    Long t = null;
    byte[] given = null;
    for (String part : header.split(",")) {
      String p = part.trim();
      try {
        if (p.startsWith("t=")) {
          t = Long.parseLong(p.substring(2));
        } else if (p.startsWith("v1=")) {
          given = HexFormat.of().parseHex(p.substring(3));
        }
      } catch (IllegalArgumentException e) {
        return false;
      }
    }
    if (t == null || given == null || Math.abs(nowSeconds - t) > toleranceSeconds) {
      return false;
    }
    return MessageDigest.isEqual(mac(t, body), given);
  }

  private byte[] mac(long epochSeconds, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update((epochSeconds + ".").getBytes(StandardCharsets.US_ASCII));
      return mac.doFinal(body);
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
