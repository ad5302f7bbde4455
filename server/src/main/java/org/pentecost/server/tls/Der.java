package org.pentecost.server.tls;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;

/** The few DER encodings (ITU-T X.690) that an X.509 certificate needs; nothing is parsed. */
final class Der {
  private Der() {}

  static byte[] sequence(byte[]... parts) {
    return tagged(0x30, concat(parts));
  }

  static byte[] set(byte[]... parts) {
    return tagged(0x31, concat(parts));
  }

  static byte[] integer(BigInteger value) {
    return tagged(0x02, value.toByteArray());
  }

  static byte[] bool(boolean value) {
    return tagged(0x01, new byte[] {(byte) (value ? 0xFF : 0)});
  }

  static byte[] octets(byte[] value) {
    return tagged(0x04, value);
  }

  /** A BIT STRING of whole bytes, or with {@code unusedBits} of the last byte unused. */
  static byte[] bits(byte[] value, int unusedBits) {
    byte[] content = new byte[value.length + 1];
    content[0] = (byte) unusedBits;
    System.arraycopy(value, 0, content, 1, value.length);
    return tagged(0x03, content);
  }

  static byte[] utf8(String text) {
    return tagged(0x0C, text.getBytes(StandardCharsets.UTF_8));
  }

  /** UTCTime before 2050, GeneralizedTime from then on (RFC 5280 section 4.1.2.5). */
  static byte[] time(ZonedDateTime t) {
    ZonedDateTime utc = t.withZoneSameInstant(ZoneOffset.UTC);
    if (utc.getYear() < 2050) {
      return tagged(
          0x17,
          utc.format(DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'"))
              .getBytes(StandardCharsets.US_ASCII));
    }
    return tagged(
        0x18,
        utc.format(DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'"))
            .getBytes(StandardCharsets.US_ASCII));
  }

  /** An OBJECT IDENTIFIER from its dotted form. */
  static byte[] oid(String dotted) {
    String[] arcs = dotted.split("\\.");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(Integer.parseInt(arcs[0]) * 40 + Integer.parseInt(arcs[1]));
    for (int i = 2; i < arcs.length; i++) {
      long arc = Long.parseLong(arcs[i]);
      int groups = 1;
      for (long v = arc >> 7; v > 0; v >>= 7) {
        groups++;
      }
      for (int g = groups - 1; g >= 0; g--) {
        int b = (int) ((arc >> (7 * g)) & 0x7F);
        out.write(g == 0 ? b : b | 0x80);
      }
    }
    return tagged(0x06, out.toByteArray());
  }

  /** A constructed context-specific tag {@code [n]} around {@code content} (EXPLICIT). */
  static byte[] explicit(int n, byte[] content) {
    return tagged(0xA0 | n, content);
  }

  /** A primitive context-specific tag {@code [n]} on raw bytes (IMPLICIT, e.g. a GeneralName). */
  static byte[] implicit(int n, byte[] raw) {
    return tagged(0x80 | n, raw);
  }

  static byte[] tagged(int tag, byte[] content) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 6);
    out.write(tag);
    int n = content.length;
    if (n < 0x80) {
      out.write(n);
    } else {
      int bytes = (32 - Integer.numberOfLeadingZeros(n) + 7) / 8;
      out.write(0x80 | bytes);
      for (int i = bytes - 1; i >= 0; i--) {
        out.write((n >> (8 * i)) & 0xFF);
      }
    }
    out.writeBytes(content);
    return out.toByteArray();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
