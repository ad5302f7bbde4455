package org.pentecost.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.pentecost.server.config.PentecostConfig;
import org.pentecost.server.error.ApiException;

/** Builds test tokens and waits for verification results. */
final class TestTokens {
  private TestTokens() {}

  static PentecostConfig.Auth auth(
      String mode, String jwksUrl, String issuer, List<String> audiences) {
    return new PentecostConfig.Auth(
        mode,
        "",
        jwksUrl,
        issuer,
        audiences,
        Duration.ofSeconds(60),
        Duration.ofHours(12),
        Duration.ofMinutes(5),
        List.of());
  }

  /** Claims valid at {@code now} for ten minutes: {@code sub=alice}, {@code iss=issuer}. */
  static JWTClaimsSet.Builder claims(Instant now, String issuer) {
    return new JWTClaimsSet.Builder()
        .subject("alice")
        .issuer(issuer)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(now.plusSeconds(600)));
  }

  static String hs256(byte[] secret, JWTClaimsSet claims) {
    try {
      return sign(new MACSigner(secret), JWSAlgorithm.HS256, null, claims);
    } catch (JOSEException e) {
      throw new AssertionError(e);
    }
  }

  static String sign(JWSSigner signer, JWSAlgorithm alg, String kid, JWTClaimsSet claims) {
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(kid).build(), claims);
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new AssertionError(e);
    }
    return jwt.serialize();
  }

  static Principal accepted(Future<Principal> result) {
    try {
      return result.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw new AssertionError("expected acceptance, got: " + e.getCause(), e.getCause());
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** The rejection of {@code token}, checked not to quote the token or any of its parts. */
  static ApiException rejected(Future<Principal> result, String token) {
    try {
      Principal principal =
          result.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      return fail("expected a rejection, got " + principal);
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(ApiException.class);
      ApiException error = (ApiException) e.getCause();
      assertThat(error.getMessage()).isNotBlank();
      if (token != null && !token.isBlank()) {
        for (String part : token.split("\\.")) {
          if (part.length() > 3) {
            assertThat(error.getMessage()).doesNotContain(part);
          }
        }
      }
      return error;
    } catch (InterruptedException | java.util.concurrent.TimeoutException e) {
      throw new AssertionError(e);
    }
  }
}
