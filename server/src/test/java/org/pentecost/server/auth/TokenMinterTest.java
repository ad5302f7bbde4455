package org.pentecost.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class TokenMinterTest {
  private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes();
  private static final Instant NOW = Instant.parse("2030-01-02T03:04:05.678Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @Test
  void mintsAnHs256TokenWithTheExpectedClaims() throws Exception {
    String token = TokenMinter.mint(SECRET, "pentecost", "alice", Duration.ofHours(12), CLOCK);

    SignedJWT jwt = SignedJWT.parse(token);
    assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.HS256);
    assertThat(jwt.verify(new MACVerifier(SECRET))).isTrue();
    var claims = jwt.getJWTClaimsSet();
    assertThat(claims.getSubject()).isEqualTo("alice");
    assertThat(claims.getIssuer()).isEqualTo("pentecost");
    assertThat(claims.getIssueTime().toInstant()).isEqualTo(Instant.parse("2030-01-02T03:04:05Z"));
    assertThat(claims.getExpirationTime().toInstant())
        .isEqualTo(Instant.parse("2030-01-02T15:04:05Z"));
    assertThat(claims.getJWTID()).isNotBlank();
  }

  @Test
  void givesEachTokenItsOwnJti() throws Exception {
    String a = TokenMinter.mint(SECRET, "pentecost", "alice", Duration.ofMinutes(5), CLOCK);
    String b = TokenMinter.mint(SECRET, "pentecost", "alice", Duration.ofMinutes(5), CLOCK);

    assertThat(SignedJWT.parse(a).getJWTClaimsSet().getJWTID())
        .isNotEqualTo(SignedJWT.parse(b).getJWTClaimsSet().getJWTID());
  }

  @Test
  void omitsABlankIssuer() throws Exception {
    String token = TokenMinter.mint(SECRET, " ", "alice", Duration.ofMinutes(5), CLOCK);

    assertThat(SignedJWT.parse(token).getJWTClaimsSet().getIssuer()).isNull();
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> TokenMinter.mint(SECRET, "p", " ", Duration.ofMinutes(5), CLOCK))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> TokenMinter.mint(SECRET, "p", "alice", Duration.ZERO, CLOCK))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> TokenMinter.mint(new byte[16], "p", "alice", Duration.ofMinutes(5), CLOCK))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
