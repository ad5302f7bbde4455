package org.pentecost.server.auth;

import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimNames;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Set;
import org.pentecost.protocol.ErrorCode;

/**
 * The claim checks of a Pentecost token. Each failure carries its own error code and a message that
 * never quotes the token's claims (they are attacker-controlled and may be personal data).
 *
 * <p>The checks run first with their own messages; nimbus's {@link DefaultJWTClaimsVerifier} then
 * repeats the standard ones as a second line of defence.
 */
final class ClaimsPolicy extends DefaultJWTClaimsVerifier<SecurityContext> {

  /** A claim check failed; {@link #code} is what the caller is answered with. */
  static final class Rejected extends BadJWTException {
    final ErrorCode code;

    Rejected(ErrorCode code, String message) {
      super(message);
      this.code = code;
    }
  }

  private final String issuer;
  private final Set<String> audiences;
  private final Duration skew;
  private final Clock clock;

  ClaimsPolicy(String issuer, List<String> audiences, Duration clockSkew, Clock clock) {
    super(
        null,
        isBlank(issuer) ? null : new JWTClaimsSet.Builder().issuer(issuer).build(),
        Set.of(JWTClaimNames.SUBJECT, JWTClaimNames.EXPIRATION_TIME),
        null);
    this.issuer = isBlank(issuer) ? null : issuer;
    this.audiences = audiences == null ? Set.of() : Set.copyOf(audiences);
    this.skew = clockSkew == null ? Duration.ofSeconds(DEFAULT_MAX_CLOCK_SKEW_SECONDS) : clockSkew;
    this.clock = clock;
    setMaxClockSkew((int) Math.min(Integer.MAX_VALUE, Math.max(0, skew.toSeconds())));
  }

  @Override
  public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
    Instant now = clock.instant();
    Date exp = claims.getExpirationTime();
    if (exp == null) {
      throw invalid("Token has no expiry (exp)");
    }
    if (isBlank(claims.getSubject())) {
      throw invalid("Token has no subject (sub)");
    }
    if (!exp.toInstant().isAfter(now.minus(skew))) {
      throw new Rejected(ErrorCode.TOKEN_EXPIRED, "Token has expired");
    }
    Date nbf = claims.getNotBeforeTime();
    if (nbf != null && nbf.toInstant().isAfter(now.plus(skew))) {
      throw invalid("Token is not valid yet (nbf)");
    }
    Date iat = claims.getIssueTime();
    if (iat != null && iat.toInstant().isAfter(now.plus(skew))) {
      throw invalid("Token is issued in the future (iat)");
    }
    if (issuer != null && !issuer.equals(claims.getIssuer())) {
      throw invalid("Token issuer is not accepted");
    }
    if (!audiences.isEmpty() && !audienceAccepted(claims)) {
      throw invalid("Token audience is not accepted");
    }
    try {
      super.verify(claims, context);
    } catch (BadJWTException e) {
      throw invalid("Token claims are not accepted");
    }
  }

  private boolean audienceAccepted(JWTClaimsSet claims) {
    for (String aud : claims.getAudience()) {
      if (audiences.contains(aud)) {
        return true;
      }
    }
    // Cognito access tokens carry no aud; the app client id sits in client_id instead.
    try {
      return "access".equals(claims.getStringClaim("token_use"))
          && audiences.contains(claims.getStringClaim("client_id"));
    } catch (ParseException notAString) {
      return false;
    }
  }

  @Override
  protected Date currentTime() {
    return Date.from(clock.instant());
  }

  private static Rejected invalid(String message) {
    return new Rejected(ErrorCode.INVALID_TOKEN, message);
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
