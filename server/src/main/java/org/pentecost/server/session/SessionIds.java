package org.pentecost.server.session;

import java.security.SecureRandom;
import java.util.Locale;
import java.util.Random;
import java.util.regex.Pattern;

/**
 * Makes and reads session codes such as {@code blessed-shepherd-427}.
 *
 * <p>Codes are spoken aloud and typed on phones, so reading is forgiving: case, surrounding spaces,
 * and spaces, underscores or dots between the parts are all accepted.
 */
public final class SessionIds {
  /** The number part runs from 100 to 999, so it is always three digits and never starts with 0. */
  static final int NUMBERS = 900;

  private static final Pattern CANONICAL = Pattern.compile("[a-z]{2,20}-[a-z]{2,20}-[1-9][0-9]{2}");
  private static final Pattern SEPARATORS = Pattern.compile("[\\s_.\\-]+");

  private final WordList words;
  private final Random random;

  public SessionIds(WordList words) {
    this(words, new SecureRandom());
  }

  SessionIds(WordList words, Random random) {
    this.words = words;
    this.random = random;
  }

  /** A random code; uniqueness is the store's business (create-if-absent, retry). */
  public String next() {
    String adjective = words.adjectives().get(random.nextInt(words.adjectives().size()));
    String noun = words.nouns().get(random.nextInt(words.nouns().size()));
    return adjective + "-" + noun + "-" + (100 + random.nextInt(NUMBERS));
  }

  /**
   * The canonical form of what a person typed, or null when it cannot be a session code (callers
   * answer "not found", never "invalid": a mistyped code is simply not a session).
   */
  public static String normalize(String typed) {
    if (typed == null) {
      return null;
    }
    if (isCanonical(typed)) {
      return typed; // what links and apps send (every GET, every join): no regular expression
    }
    String s = SEPARATORS.matcher(typed.trim().toLowerCase(Locale.ROOT)).replaceAll("-");
    return CANONICAL.matcher(s).matches() ? s : null;
  }

  /** {@code CANONICAL} without a regular expression. */
  static boolean isCanonical(String s) {
    int i = letters(s, 0);
    if (i < 0 || i >= s.length() || s.charAt(i) != '-') {
      return false;
    }
    i = letters(s, i + 1);
    if (i < 0 || i + 4 != s.length() || s.charAt(i) != '-') {
      return false;
    }
    char a = s.charAt(i + 1);
    char b = s.charAt(i + 2);
    char c = s.charAt(i + 3);
    return a >= '1' && a <= '9' && b >= '0' && b <= '9' && c >= '0' && c <= '9';
  }

  /** The index after 2 to 20 letters a-z from {@code from}, or -1. */
  private static int letters(String s, int from) {
    int i = from;
    while (i < s.length() && s.charAt(i) >= 'a' && s.charAt(i) <= 'z') {
      i++;
    }
    int n = i - from;
    return n >= 2 && n <= 20 ? i : -1;
  }
}
