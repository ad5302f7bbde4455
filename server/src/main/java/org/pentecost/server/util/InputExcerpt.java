package org.pentecost.server.util;

/**
 * A short excerpt of something a client sent, for an error message: enough to recognise it, never
 * the whole of a large input, so that an error reply (and whatever logs it) stays small.
 */
public final class InputExcerpt {
  /** At most this many characters of the input appear in a message. */
  public static final int MAX_CHARS = 40;

  private InputExcerpt() {}

  /**
   * {@code input} itself when it is short, else its first {@link #MAX_CHARS} characters (never half
   * a surrogate pair) followed by how long it was.
   */
  public static String of(String input) {
    if (input == null || input.length() <= MAX_CHARS) {
      return input;
    }
    int end = MAX_CHARS;
    if (Character.isHighSurrogate(input.charAt(end - 1))) {
      end--;
    }
    return input.substring(0, end) + "… (" + input.length() + " characters)";
  }
}
