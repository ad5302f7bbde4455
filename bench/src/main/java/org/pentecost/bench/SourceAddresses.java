package org.pentecost.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Local (source) addresses the listeners bind to, round-robin, so that many thousands of
 * connections to one server port do not run out of ephemeral ports: each source address gives its
 * own range of about 28,000 ports. Only 127.0.0.0/8 is accepted; on Linux every address of that
 * range is local without any configuration.
 */
final class SourceAddresses {
  private SourceAddresses() {}

  /** Enough for any run: 65,535 addresses times ~28,000 ports. */
  static final int MAX_COUNT = 65_535;

  private static final Pattern COUNT = Pattern.compile("\\d+");
  private static final Pattern IPV4 =
      Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");

  /**
   * Parses {@code 127.0.0.1,127.0.0.2} (a list) or {@code 4} (a count: 127.0.0.1 .. 127.0.0.4; past
   * 255 the count carries into the next octet: 256 is 127.0.1.0). Null or blank gives an empty
   * list: let the kernel choose.
   */
  static List<String> parse(String text) {
    List<String> out = new ArrayList<>();
    if (text == null || text.isBlank()) {
      return out;
    }
    String t = text.trim();
    if (COUNT.matcher(t).matches()) {
      int n;
      try {
        n = Integer.parseInt(t);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("too many source addresses: " + t, e);
      }
      if (n < 1 || n > MAX_COUNT) {
        throw new IllegalArgumentException(
            "a source address count must be between 1 and " + MAX_COUNT + ": " + t);
      }
      for (int i = 1; i <= n; i++) {
        out.add("127." + ((i >> 16) & 0xff) + "." + ((i >> 8) & 0xff) + "." + (i & 0xff));
      }
      return out;
    }
    for (String a : Args.list(t)) {
      if (!isLoopbackIpv4(a)) {
        throw new IllegalArgumentException(
            "source addresses must be IPv4 literals in 127.0.0.0/8: '" + a + "'");
      }
      out.add(a);
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("no source address in '" + text + "'");
    }
    return out;
  }

  /** Whether {@code text} is a dotted IPv4 literal inside 127.0.0.0/8. */
  static boolean isLoopbackIpv4(String text) {
    var m = IPV4.matcher(text);
    if (!m.matches()) {
      return false;
    }
    for (int g = 1; g <= 4; g++) {
      if (Integer.parseInt(m.group(g)) > 255) {
        return false;
      }
    }
    return Integer.parseInt(m.group(1)) == 127;
  }
}
