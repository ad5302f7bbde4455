package org.pentecost.server.cli;

/** The layout of {@code serve}'s start banner. */
final class Banner {
  private Banner() {}

  /** One aligned line: a label padded to 16 characters, then the value. */
  static void line(StringBuilder b, String label, String value) {
    b.append("  ").append(String.format("%-16s", label)).append(value).append('\n');
  }
}
