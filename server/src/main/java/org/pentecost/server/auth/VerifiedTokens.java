package org.pentecost.server.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.time.Instant;

/**
 * Tokens verified lately, by their exact text: a speaker's console sends the same token with every
 * call, and verifying its signature and claims each time was about a fifth of an event loop's work
 * per {@code POST /sessions} (docs/benchmarks.md). An entry is used only while both hold:
 *
 * <ul>
 *   <li>the token has not expired ({@code exp}, without the clock skew the full check allows: a
 *       token in its skew window is verified again, and answered as before);
 *   <li>it was verified at most {@link #LONGEST} ago: a signing key removed from a JWKS stops
 *       working for its tokens at most that much later than without the cache.
 * </ul>
 *
 * <p>Bounded: at most {@link #ENTRIES} tokens of at most {@link #MAX_TOKEN_CHARS} characters (the
 * least recently used go first). Only successes are kept; a rejected token is checked in full every
 * time. Safe for any thread.
 */
final class VerifiedTokens {
  static final Duration LONGEST = Duration.ofSeconds(60);
  static final int ENTRIES = 4_096;
  static final int MAX_TOKEN_CHARS = 2_048;

  private record Entry(Principal principal, long untilMillis) {}

  private final Cache<String, Entry> cache = Caffeine.newBuilder().maximumSize(ENTRIES).build();

  /** The principal {@code token} was verified as, if that still holds at {@code nowMillis}. */
  Principal get(String token, long nowMillis) {
    Entry entry = cache.getIfPresent(token);
    if (entry == null) {
      return null;
    }
    if (nowMillis >= entry.untilMillis) {
      cache.invalidate(token);
      return null;
    }
    return entry.principal;
  }

  /** Remembers that {@code token}, expiring at {@code exp}, was verified at {@code nowMillis}. */
  void put(String token, Principal principal, Instant exp, long nowMillis) {
    if (exp == null || token.length() > MAX_TOKEN_CHARS) {
      return;
    }
    long until = Math.min(exp.toEpochMilli(), nowMillis + LONGEST.toMillis());
    if (until > nowMillis) {
      cache.put(token, new Entry(principal, until));
    }
  }
}
