package org.pentecost.server.session;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.pentecost.server.config.ConfigException;

/** The vocabulary session codes are made of: {@code {adjective}-{noun}-{NNN}}. */
public record WordList(List<String> adjectives, List<String> nouns) {
  private static final Pattern WORD = Pattern.compile("[a-z]{2,20}");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  public WordList {
    adjectives = List.copyOf(adjectives);
    nouns = List.copyOf(nouns);
  }

  /** {@code bible}, {@code neutral}, or the path of a YAML file with the two lists. */
  public static WordList load(String nameOrPath) {
    if (nameOrPath.equals("bible") || nameOrPath.equals("neutral")) {
      try (InputStream in =
          WordList.class.getResourceAsStream("/wordlists/" + nameOrPath + ".yaml")) {
        return validated(YAML.readValue(in, WordList.class), nameOrPath);
      } catch (IOException e) {
        throw new ConfigException("cannot read built-in word list " + nameOrPath, e);
      }
    }
    Path path = Path.of(nameOrPath);
    if (!Files.isReadable(path)) {
      throw new ConfigException(
          "sessions.wordList: '" + nameOrPath + "' is neither bible, neutral nor a readable file");
    }
    try {
      return validated(YAML.readValue(path.toFile(), WordList.class), nameOrPath);
    } catch (IOException e) {
      throw new ConfigException(
          "word list " + path + " must be YAML with 'adjectives' and 'nouns' lists", e);
    }
  }

  private static WordList validated(WordList list, String source) {
    for (List<String> words : List.of(list.adjectives, list.nouns)) {
      if (words.size() < 10) {
        throw new ConfigException("word list " + source + ": each list needs at least 10 words");
      }
      for (String w : words) {
        if (!WORD.matcher(w).matches()) {
          throw new ConfigException(
              "word list " + source + ": '" + w + "' is not 2-20 lower-case letters a-z");
        }
      }
    }
    return list;
  }

  /** How many distinct codes this vocabulary can make. */
  public long capacity() {
    return (long) adjectives.size() * nouns.size() * SessionIds.NUMBERS;
  }
}
