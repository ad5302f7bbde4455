package org.pentecost.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.pentecost.server.testing.RepoFiles;

/**
 * The listener page's translations ({@code webroot/console/i18n/<code>.json}): one file per
 * supported language, each valid JSON with exactly the English file's keys, every value a non-empty
 * string with the same {@code {placeholders}} as the English one, and "Pentecost" kept as it is.
 */
class TranslationsTest {
  /** The 19 languages the page is translated into: the default supported languages. */
  static final List<String> LANGUAGES =
      List.of(
          "en", "es", "fr", "de", "it", "pt", "ru", "ja", "ko", "zh", "ar", "hi", "nl", "pl", "tr",
          "sv", "da", "no", "fi");

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{(\\w+)\\}");
  private static final ObjectMapper STRICT =
      new ObjectMapper().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

  private static Path dir() {
    return RepoFiles.find("server/src/main/resources/webroot/console/i18n/en.json").getParent();
  }

  private static Map<String, String> strings(String code) throws IOException {
    JsonNode root = STRICT.readTree(Files.readString(dir().resolve(code + ".json")));
    assertThat(root.isObject()).as("%s.json is a JSON object", code).isTrue();
    Map<String, String> strings = new TreeMap<>();
    for (var field : (Iterable<Map.Entry<String, JsonNode>>) root::fields) {
      assertThat(field.getValue().isTextual())
          .as("%s.json: %s is a string", code, field.getKey())
          .isTrue();
      assertThat(field.getValue().asText().isBlank())
          .as("%s.json: %s is not empty", code, field.getKey())
          .isFalse();
      strings.put(field.getKey(), field.getValue().asText());
    }
    return strings;
  }

  private static List<String> placeholders(String text) {
    List<String> names = new ArrayList<>();
    Matcher m = PLACEHOLDER.matcher(text);
    while (m.find()) {
      names.add(m.group(1));
    }
    names.sort(null);
    return names;
  }

  @Test
  void thereIsOneFileForEachLanguageAndNoOther() throws IOException {
    try (Stream<Path> files = Files.list(dir())) {
      assertThat(files.map(p -> p.getFileName().toString()).toList())
          .containsExactlyInAnyOrderElementsOf(LANGUAGES.stream().map(c -> c + ".json").toList());
    }
  }

  @Test
  void everyTranslationHasExactlyTheEnglishKeysAndPlaceholders() throws IOException {
    Map<String, String> english = strings("en");
    assertThat(english).isNotEmpty();
    for (String code : LANGUAGES) {
      Map<String, String> translated = strings(code);
      assertThat(new TreeSet<>(translated.keySet()))
          .as("keys of %s.json", code)
          .containsExactlyElementsOf(new TreeSet<>(english.keySet()));
      for (var e : english.entrySet()) {
        String text = translated.get(e.getKey());
        assertThat(placeholders(text))
            .as("placeholders of %s in %s.json: %s", e.getKey(), code, text)
            .isEqualTo(placeholders(e.getValue()));
        if (e.getValue().contains("Pentecost")) {
          assertThat(text)
              .as("%s in %s.json keeps the name", e.getKey(), code)
              .contains("Pentecost");
        }
      }
    }
  }

  @Test
  void theTranslationsAreTranslated() throws IOException {
    Map<String, String> english = strings("en");
    for (String code : LANGUAGES.subList(1, LANGUAGES.size())) {
      Map<String, String> translated = strings(code);
      long same =
          english.keySet().stream()
              .filter(k -> !english.get(k).contains("{") && english.get(k).length() > 12)
              .filter(k -> english.get(k).equals(translated.get(k)))
              .count();
      assertThat(same).as("sentences of %s.json left in English", code).isZero();
    }
  }
}
