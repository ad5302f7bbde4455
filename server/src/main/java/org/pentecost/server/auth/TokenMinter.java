package org.pentecost.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.UUID;

/** Mints the HS256 tokens that {@link JwtTokenVerifier} accepts in {@code hmac} mode. */
public final class TokenMinter {
  private TokenMinter() {}

  /**
   * Returns a compact HS256 JWT with {@code sub}, {@code iss} (when non-blank), {@code iat}, {@code
   * exp} and a random {@code jti}.
   *
   * @throws IllegalArgumentException when {@code userId} is blank, {@code ttl} is not positive or
   *     the secret is shorter than 32 bytes
   */
  public static String mint(
      byte[] secret, String issuer, String userId, Duration ttl, Clock clock) {
    if (userId == null || userId.isBlank()) {
      throw new IllegalArgumentException("userId must not be blank");
    }
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive");
    }
    // JWT times are whole seconds; truncating keeps iat + ttl equal to exp exactly.
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .subject(userId)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(ttl)))
            .jwtID(UUID.randomUUID().toString());
    if (issuer != null && !issuer.isBlank()) {
      claims.issuer(issuer);
    }
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).build(),
            claims.build());
    try {
      jwt.sign(new MACSigner(secret));
    } catch (JOSEException e) {
      throw new IllegalArgumentException("The token secret cannot sign HS256 tokens", e);
    }
    return jwt.serialize();
  }
}
