package org.pentecost.server.session;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The configured supported languages (ISO 639-1), with their English names for display. */
public final class Languages {
  private static final Map<String, String> NAMES =
      Map.ofEntries(
          Map.entry("en", "English"),
          Map.entry("es", "Spanish"),
          Map.entry("fr", "French"),
          Map.entry("de", "German"),
          Map.entry("it", "Italian"),
          Map.entry("pt", "Portuguese"),
          Map.entry("ru", "Russian"),
          Map.entry("ja", "Japanese"),
          Map.entry("ko", "Korean"),
          Map.entry("zh", "Chinese"),
          Map.entry("ar", "Arabic"),
          Map.entry("hi", "Hindi"),
          Map.entry("nl", "Dutch"),
          Map.entry("pl", "Polish"),
          Map.entry("tr", "Turkish"),
          Map.entry("sv", "Swedish"),
          Map.entry("da", "Danish"),
          Map.entry("no", "Norwegian"),
          Map.entry("fi", "Finnish"));

  private final List<String> codes;

  public Languages(List<String> codes) {
    this.codes = codes.stream().map(c -> c.trim().toLowerCase(Locale.ROOT)).distinct().toList();
  }

  /** The canonical code if supported (case-insensitive), else null. */
  public String canonical(String code) {
    if (code == null) {
      return null;
    }
    String c = code.trim().toLowerCase(Locale.ROOT);
    return codes.contains(c) ? c : null;
  }

  public List<String> codes() {
    return codes;
  }

  /** English name of a code; the code itself for languages without a built-in name. */
  public static String name(String code) {
    return NAMES.getOrDefault(code, code);
  }
}
