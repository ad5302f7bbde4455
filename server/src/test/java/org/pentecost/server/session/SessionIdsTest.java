package org.pentecost.server.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.config.ConfigException;

class SessionIdsTest {
  @TempDir Path dir;

  @Test
  void bibleVocabularyIsAtLeastAsLargeAsTheSeeds() {
    WordList bible = WordList.load("bible");
    assertThat(bible.adjectives()).hasSizeGreaterThanOrEqualTo(141).doesNotHaveDuplicates();
    assertThat(bible.nouns()).hasSizeGreaterThanOrEqualTo(138).doesNotHaveDuplicates();
    assertThat(bible.adjectives()).contains("blessed", "faithful", "gracious");
    assertThat(bible.nouns()).contains("shepherd", "covenant", "temple");
    assertThat(bible.capacity()).isGreaterThan(17_000_000L);
    WordList neutral = WordList.load("neutral");
    assertThat(neutral.adjectives()).doesNotHaveDuplicates().hasSizeGreaterThanOrEqualTo(141);
    assertThat(neutral.nouns()).doesNotHaveDuplicates().hasSizeGreaterThanOrEqualTo(138);
  }

  @Test
  void generatedCodesHaveTheShapeAndReadBackAsThemselves() {
    SessionIds ids = new SessionIds(WordList.load("bible"), new Random(7));
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 5_000; i++) {
      String id = ids.next();
      assertThat(id).matches("[a-z]+-[a-z]+-[1-9][0-9]{2}");
      assertThat(SessionIds.normalize(id)).isEqualTo(id);
      seen.add(id);
    }
    assertThat(seen.size()).isGreaterThan(4_990);
  }

  @Test
  void typedCodesAreForgiven() {
    assertThat(SessionIds.normalize("  Blessed-Shepherd-427 ")).isEqualTo("blessed-shepherd-427");
    assertThat(SessionIds.normalize("blessed shepherd 427")).isEqualTo("blessed-shepherd-427");
    assertThat(SessionIds.normalize("BLESSED_SHEPHERD_427")).isEqualTo("blessed-shepherd-427");
    assertThat(SessionIds.normalize("blessed--shepherd - 427")).isEqualTo("blessed-shepherd-427");
    assertThat(SessionIds.normalize("blessed-shepherd")).isNull();
    assertThat(SessionIds.normalize("blessed-shepherd-42")).isNull();
    assertThat(SessionIds.normalize("<script>")).isNull();
    assertThat(SessionIds.normalize(null)).isNull();
  }

  @Test
  void customWordListsAreLoadedAndChecked() throws Exception {
    Path good = dir.resolve("words.yaml");
    Files.writeString(
        good,
        "adjectives: [red, blue, green, black, white, pink, gray, brown, gold, teal]\n"
            + "nouns: [cat, dog, owl, fox, elk, bee, ant, cow, pig, hen]\n");
    assertThat(WordList.load(good.toString()).nouns()).contains("owl");
    Path bad = dir.resolve("bad.yaml");
    Files.writeString(bad, "adjectives: [Red]\nnouns: [cat]\n");
    assertThatThrownBy(() -> WordList.load(bad.toString())).isInstanceOf(ConfigException.class);
    assertThatThrownBy(() -> WordList.load("klingon")).isInstanceOf(ConfigException.class);
  }
}
