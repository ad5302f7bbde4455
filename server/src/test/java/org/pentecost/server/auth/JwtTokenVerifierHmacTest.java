package org.pentecost.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.pentecost.server.auth.TestTokens.accepted;
import static org.pentecost.server.auth.TestTokens.claims;
import static org.pentecost.server.auth.TestTokens.hs256;
import static org.pentecost.server.auth.TestTokens.rejected;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.server.error.ApiException;

class JwtTokenVerifierHmacTest {
  private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes();
  private static final Instant NOW = Instant.parse("2030-06-01T12:00:00Z");
  private static final String ISSUER = "pentecost";

  private static Vertx vertx;
  private final TokenVerifier verifier =
      new JwtTokenVerifier(
          vertx,
          TestTokens.auth("hmac", "", ISSUER, List.of()),
          SECRET,
          Clock.fixed(NOW, ZoneOffset.UTC));

  @BeforeAll
  static void startVertx() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stopVertx() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  private ApiException rejection(String token) {
    return rejected(verifier.verify(token), token);
  }

  private String token(JWTClaimsSet.Builder claims) {
    return hs256(SECRET, claims.build());
  }

  @Test
  void acceptsATokenFromTheMinterInline(@TempDir Path dataDir) {
    var auth = TestTokens.auth("hmac", "", ISSUER, List.of());
    TokenVerifier real = JwtTokenVerifier.create(vertx, auth, dataDir);
    byte[] secret = HmacSecret.loadOrCreate(dataDir, "");
    String token =
        TokenMinter.mint(secret, ISSUER, "user-42", Duration.ofMinutes(5), Clock.systemUTC());

    var result = real.verify(token);

    assertThat(result.isComplete()).as("hmac mode verifies inline").isTrue();
    assertThat(accepted(result)).isEqualTo(new Principal("user-42"));
  }

  @Test
  void blankOrMissingTokenIsMissingToken() {
    assertThat(rejection(null).code()).isEqualTo(ErrorCode.MISSING_TOKEN);
    assertThat(rejection("").code()).isEqualTo(ErrorCode.MISSING_TOKEN);
    assertThat(rejection("   ").code()).isEqualTo(ErrorCode.MISSING_TOKEN);
  }

  @Test
  void rejectsGarbage() {
    assertThat(rejection("not-a-jwt").code()).isEqualTo(ErrorCode.INVALID_TOKEN);
    assertThat(rejection("a.b.c").code()).isEqualTo(ErrorCode.INVALID_TOKEN);
    assertThat(rejection("x".repeat(20_000)).code()).isEqualTo(ErrorCode.INVALID_TOKEN);
  }

  @Test
  void rejectsABadSignature() {
    String foreign =
        hs256("another-secret-another-secret-xx".getBytes(), claims(NOW, ISSUER).build());

    ApiException error = rejection(foreign);

    assertThat(error.code()).isEqualTo(ErrorCode.INVALID_TOKEN);
    assertThat(error.getMessage()).contains("signature");
  }

  @Test
  void rejectsATamperedPayload() {
    String[] good = token(claims(NOW, ISSUER)).split("\\.");
    String[] evil = token(claims(NOW, ISSUER).subject("admin")).split("\\.");

    assertThat(rejection(good[0] + "." + evil[1] + "." + good[2]).code())
        .isEqualTo(ErrorCode.INVALID_TOKEN);
  }

  @Test
  void rejectsAnUnsignedAlgNoneToken() {
    String unsigned = new PlainJWT(claims(NOW, ISSUER).build()).serialize();

    assertThat(unsigned).endsWith(".");
    assertThat(rejection(unsigned).code()).isEqualTo(ErrorCode.INVALID_TOKEN);
  }

  @Test
  void rejectsAnRs256Token() throws Exception {
    var rsa = new RSAKeyGenerator(2048).generate();
    String token =
        TestTokens.sign(
            new RSASSASigner(rsa), JWSAlgorithm.RS256, null, claims(NOW, ISSUER).build());

    assertThat(rejection(token).getMessage()).contains("algorithm");
  }

  @Test
  void rejectsATokenExpiredBeyondTheSkew() {
    String token =
        token(
            claims(NOW.minusSeconds(3600), ISSUER).expirationTime(Date.from(NOW.minusSeconds(61))));

    assertThat(rejection(token).code()).isEqualTo(ErrorCode.TOKEN_EXPIRED);
  }

  @Test
  void acceptsATokenExpiredWithinTheSkew() {
    String token =
        token(
            claims(NOW.minusSeconds(3600), ISSUER).expirationTime(Date.from(NOW.minusSeconds(30))));

    assertThat(accepted(verifier.verify(token)).userId()).isEqualTo("alice");
  }

  @Test
  void rejectsATokenNotValidYet() {
    String token = token(claims(NOW, ISSUER).notBeforeTime(Date.from(NOW.plusSeconds(120))));

    assertThat(rejection(token).code()).isEqualTo(ErrorCode.INVALID_TOKEN);
    assertThat(
            accepted(
                verifier.verify(
                    token(claims(NOW, ISSUER).notBeforeTime(Date.from(NOW.plusSeconds(30)))))))
        .isEqualTo(new Principal("alice"));
  }

  @Test
  void rejectsATokenIssuedInTheFuture() {
    String token = token(claims(NOW, ISSUER).issueTime(Date.from(NOW.plusSeconds(300))));

    assertThat(rejection(token).code()).isEqualTo(ErrorCode.INVALID_TOKEN);
  }

  @Test
  void rejectsAWrongOrMissingIssuer() {
    assertThat(rejection(token(claims(NOW, "someone-else"))).getMessage()).contains("issuer");
    assertThat(rejection(token(claims(NOW, null))).getMessage()).contains("issuer");
  }

  @Test
  void rejectsAMissingOrBlankSubject() {
    assertThat(rejection(token(claims(NOW, ISSUER).subject(null))).getMessage())
        .contains("subject");
    assertThat(rejection(token(claims(NOW, ISSUER).subject(" "))).getMessage()).contains("subject");
  }

  @Test
  void rejectsAMissingExpiry() {
    ApiException error = rejection(token(claims(NOW, ISSUER).expirationTime(null)));

    assertThat(error.code()).isEqualTo(ErrorCode.INVALID_TOKEN);
    assertThat(error.getMessage()).contains("expiry");
  }

  @Test
  void checksTheAudienceWhenConfigured() {
    var auth = TestTokens.auth("hmac", "", ISSUER, List.of("speaker-app", "worker-app"));
    var strict = new JwtTokenVerifier(vertx, auth, SECRET, Clock.fixed(NOW, ZoneOffset.UTC));
    String right = token(claims(NOW, ISSUER).audience(List.of("other", "worker-app")));
    String wrong = token(claims(NOW, ISSUER).audience("other-app"));
    String none = token(claims(NOW, ISSUER));

    assertThat(accepted(strict.verify(right)).userId()).isEqualTo("alice");
    assertThat(rejected(strict.verify(wrong), wrong).getMessage()).contains("audience");
    assertThat(rejected(strict.verify(none), none).getMessage()).contains("audience");
  }
}
