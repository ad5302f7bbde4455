package org.pentecost.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pentecost.server.auth.TestTokens.accepted;
import static org.pentecost.server.auth.TestTokens.claims;
import static org.pentecost.server.auth.TestTokens.hs256;
import static org.pentecost.server.auth.TestTokens.rejected;

import io.vertx.core.Vertx;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pentecost.protocol.ErrorCode;

/**
 * Verified tokens are remembered only while the full check would still accept them: never past
 * their {@code exp}, never longer than a minute, never after a rejection.
 */
class VerifiedTokensTest {
  private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes();
  private static final Instant NOW = Instant.parse("2030-06-01T12:00:00Z");
  private static final String ISSUER = "pentecost";
  private static Vertx vertx;

  private final MovableClock clock = new MovableClock();
  private final TokenVerifier verifier =
      new JwtTokenVerifier(vertx, TestTokens.auth("hmac", "", ISSUER, List.of()), SECRET, clock);

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  @Test
  void aRepeatedTokenIsAnsweredAsTheFullCheckWouldUntilItExpires() {
    String token =
        hs256(SECRET, claims(NOW, ISSUER).expirationTime(Date.from(NOW.plusSeconds(120))).build());
    assertThat(accepted(verifier.verify(token))).isEqualTo(new Principal("alice"));
    clock.at(NOW.plusSeconds(30));
    assertThat(accepted(verifier.verify(token))).isEqualTo(new Principal("alice"));
    clock.at(NOW.plusSeconds(150)); // past exp, within the 60 s clock skew: still accepted
    assertThat(accepted(verifier.verify(token))).isEqualTo(new Principal("alice"));
    clock.at(NOW.plusSeconds(181)); // past exp and skew: expired, as without the cache
    assertThat(rejected(verifier.verify(token), token).code()).isEqualTo(ErrorCode.TOKEN_EXPIRED);
  }

  @Test
  void aRejectedTokenIsRejectedEveryTime() {
    String good = hs256(SECRET, claims(NOW, ISSUER).build());
    String tampered = good.substring(0, good.length() - 4) + "AAAA";
    assertThat(accepted(verifier.verify(good))).isEqualTo(new Principal("alice"));
    for (int i = 0; i < 3; i++) {
      assertThat(rejected(verifier.verify(tampered), tampered).code())
          .isEqualTo(ErrorCode.INVALID_TOKEN);
    }
  }

  @Test
  void anEntryLastsAtMostAMinuteAndNeverPastItsExpiry() {
    VerifiedTokens tokens = new VerifiedTokens();
    Principal alice = new Principal("alice");
    long now = NOW.toEpochMilli();
    tokens.put("long-lived", alice, NOW.plusSeconds(3600), now);
    assertThat(tokens.get("long-lived", now + 59_999)).isEqualTo(alice);
    assertThat(tokens.get("long-lived", now + 60_000)).isNull();
    assertThat(tokens.get("long-lived", now)).as("forgotten once stale").isNull();

    tokens.put("short", alice, NOW.plusSeconds(5), now);
    assertThat(tokens.get("short", now + 4_999)).isEqualTo(alice);
    assertThat(tokens.get("short", now + 5_000)).isNull();

    tokens.put("expired", alice, NOW.minusMillis(1), now);
    assertThat(tokens.get("expired", now)).isNull();
    tokens.put("no-exp", alice, null, now);
    assertThat(tokens.get("no-exp", now)).isNull();
    String huge = "x".repeat(VerifiedTokens.MAX_TOKEN_CHARS + 1);
    tokens.put(huge, alice, NOW.plusSeconds(3600), now);
    assertThat(tokens.get(huge, now)).isNull();
    assertThat(tokens.get("never-seen", now)).isNull();
  }

  /** A clock the test moves. */
  private static final class MovableClock extends Clock {
    private volatile Instant now = NOW;

    void at(Instant instant) {
      now = instant;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public long millis() {
      return now.toEpochMilli();
    }
  }
}
