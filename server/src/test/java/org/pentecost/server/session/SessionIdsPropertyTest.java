package org.pentecost.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.pentecost.server.testing.FuzzArbitraries;

/**
 * Session codes as typed by anyone (the {@code {id}} of every {@code /sessions/{id}} and the {@code
 * sessionId} of every WebSocket): reading one never throws, and gives null or a canonical code that
 * reads as itself.
 */
class SessionIdsPropertyTest {

  @Property
  void anyTextIsACanonicalCodeOrNothing(@ForAll("typed") String typed) {
    String id = SessionIds.normalize(typed);
    if (id != null) {
      assertThat(id).matches("[a-z]{2,20}-[a-z]{2,20}-[1-9][0-9]{2}");
      assertThat(SessionIds.normalize(id)).isEqualTo(id);
    }
  }

  @Property
  void aCodeIsFoundHoweverItIsTyped(
      @ForAll("words") String adjective,
      @ForAll("words") String noun,
      @ForAll("numbers") int number,
      @ForAll("separators") String first,
      @ForAll("separators") String second,
      @ForAll boolean upper) {
    String code = adjective + "-" + noun + "-" + number;
    String typed = " " + adjective + first + noun + second + number + "\t";
    assertThat(SessionIds.normalize(upper ? typed.toUpperCase(java.util.Locale.ROOT) : typed))
        .isEqualTo(code);
  }

  @Property
  void theFastCheckAgreesWithThePattern(@ForAll("nearlyCodes") String text) {
    assertThat(SessionIds.isCanonical(text))
        .isEqualTo(text.matches("[a-z]{2,20}-[a-z]{2,20}-[1-9][0-9]{2}"));
  }

  @Provide
  Arbitrary<String> nearlyCodes() {
    return Arbitraries.oneOf(
        Arbitraries.strings().withChars("abz-019A_").ofMaxLength(50),
        Arbitraries.strings()
            .withCharRange('a', 'z')
            .ofMinLength(0)
            .ofMaxLength(22)
            .list()
            .ofSize(2)
            .flatMap(
                parts ->
                    Arbitraries.strings()
                        .withChars("0123456789")
                        .ofMinLength(2)
                        .ofMaxLength(4)
                        .map(n -> parts.get(0) + "-" + parts.get(1) + "-" + n)));
  }

  @Provide
  Arbitrary<String> typed() {
    return Arbitraries.oneOf(
        FuzzArbitraries.strings(),
        Arbitraries.strings().withChars("abcXYZ-_. 019\t").ofMaxLength(40));
  }

  @Provide
  Arbitrary<String> words() {
    return Arbitraries.strings().withCharRange('a', 'z').ofMinLength(2).ofMaxLength(20);
  }

  @Provide
  Arbitrary<Integer> numbers() {
    return Arbitraries.integers().between(100, 999);
  }

  @Provide
  Arbitrary<String> separators() {
    return Arbitraries.strings().withChars(" _.-").ofMinLength(1).ofMaxLength(3);
  }
}
