package org.pentecost.server.testing;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads, each with the label names its selector matches on:
 * enough to check alert rules and dashboards against what a node's {@code /metrics} exposes. Not a
 * parser: it drops strings, ranges and {@code by (...)}-style label lists, then takes every
 * identifier that is not a function call or a keyword.
 */
public final class PromQl {
  /** A metric selector: {@code name{label="..", ...}} (labels: the names matched on). */
  public record Selector(String metric, Set<String> labels) {}

  private static final Pattern GROUPING =
      Pattern.compile("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern RANGE = Pattern.compile("\\[[^\\]]*\\]");
  private static final Pattern SELECTOR =
      Pattern.compile("(?<![\\w:$.])([a-zA-Z_:][\\w:]*)\\s*(\\{[^}]*\\})?(\\s*\\()?");
  private static final Pattern MATCHER =
      Pattern.compile("([a-zA-Z_]\\w*)\\s*(=~|!~|!=|=)\\s*\"(?:[^\"\\\\]|\\\\.)*\"");
  private static final Set<String> KEYWORDS =
      Set.of("and", "or", "unless", "bool", "offset", "inf", "nan", "atan2");

  private PromQl() {}

  public static List<Selector> selectors(String expr) {
    String e = RANGE.matcher(GROUPING.matcher(expr).replaceAll(" ")).replaceAll(" ");
    List<Selector> found = new ArrayList<>();
    Matcher m = SELECTOR.matcher(e);
    while (m.find()) {
      String name = m.group(1);
      if (m.group(3) != null || KEYWORDS.contains(name.toLowerCase())) {
        continue; // a function call, or an operator
      }
      Set<String> labels = new LinkedHashSet<>();
      if (m.group(2) != null) {
        Matcher l = MATCHER.matcher(m.group(2));
        while (l.find()) {
          labels.add(l.group(1));
        }
      }
      found.add(new Selector(name, labels));
    }
    return found;
  }
}
