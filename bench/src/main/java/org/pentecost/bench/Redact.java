package org.pentecost.bench;

import java.util.ArrayList;
import java.util.List;

/** Command-line arguments fit for a report: the token's value hidden. */
final class Redact {
  private Redact() {}

  static List<String> args(List<String> original) {
    List<String> out = new ArrayList<>();
    boolean hide = false;
    for (String a : original) {
      if (hide) {
        out.add("***");
        hide = false;
      } else if (a.equals("--token")) {
        out.add(a);
        hide = true;
      } else if (a.startsWith("--token=")) {
        out.add("--token=***");
      } else {
        out.add(a);
      }
    }
    return out;
  }
}
