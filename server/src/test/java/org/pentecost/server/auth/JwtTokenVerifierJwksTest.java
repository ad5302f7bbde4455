package org.pentecost.server.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.pentecost.server.auth.TestTokens.accepted;
import static org.pentecost.server.auth.TestTokens.claims;
import static org.pentecost.server.auth.TestTokens.rejected;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.sun.net.httpserver.HttpServer;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.pentecost.protocol.ErrorCode;

/** JWKS mode against a real local HTTP server publishing an RSA and an EC key. */
class JwtTokenVerifierJwksTest {
  private static final String ISSUER = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Test";
  private static final String CLIENT_ID = "7speakerappclientid";
  private static final long SLOW_MILLIS = 1_000;

  private static Vertx vertx;
  private static HttpServer http;
  private static RSAKey rsa;
  private static ECKey ec;
  private static volatile String published;
  private static final AtomicInteger fetches = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    rsa = new RSAKeyGenerator(2048).keyID("rsa-1").keyUse(KeyUse.SIGNATURE).generate();
    ec = new ECKeyGenerator(Curve.P_256).keyID("ec-1").keyUse(KeyUse.SIGNATURE).generate();
    vertx = Vertx.vertx();
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    http.createContext(
        "/jwks.json",
        exchange -> {
          fetches.incrementAndGet();
          byte[] body = published.getBytes(UTF_8);
          exchange.getResponseHeaders().add("Content-Type", "application/json");
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    http.createContext(
        "/slow",
        exchange -> {
          try {
            Thread.sleep(SLOW_MILLIS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
          byte[] body = published.getBytes(UTF_8);
          exchange.sendResponseHeaders(200, body.length);
          exchange.getResponseBody().write(body);
          exchange.close();
        });
    http.createContext(
        "/broken",
        exchange -> {
          exchange.sendResponseHeaders(500, -1);
          exchange.close();
        });
    http.start();
  }

  @AfterAll
  static void stop() throws Exception {
    http.stop(0);
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }

  /** A fresh verifier (empty key cache) with {@code keys} published and the counter reset. */
  private static TokenVerifier verifierPublishing(JWK... keys) {
    publish(keys);
    fetches.set(0);
    return verifierAt("/jwks.json");
  }

  private static TokenVerifier verifierAt(String path) {
    String url = "http://127.0.0.1:" + http.getAddress().getPort() + path;
    return new JwtTokenVerifier(
        vertx, TestTokens.auth("jwks", url, ISSUER, List.of(CLIENT_ID)), null);
  }

  private static void publish(JWK... keys) {
    published = new JWKSet(List.of(keys)).toPublicJWKSet().toString();
  }

  private static JWTClaimsSet.Builder idToken() {
    return claims(Instant.now(), ISSUER).audience(CLIENT_ID).claim("token_use", "id");
  }

  private static JWTClaimsSet.Builder accessToken(String clientId) {
    return claims(Instant.now(), ISSUER)
        .claim("token_use", "access")
        .claim("client_id", clientId)
        .claim("scope", "aws.cognito.signin.user.admin");
  }

  private static String rs256(RSAKey key, JWTClaimsSet claims) throws Exception {
    return TestTokens.sign(new RSASSASigner(key), JWSAlgorithm.RS256, key.getKeyID(), claims);
  }

  private static String es256(ECKey key, JWTClaimsSet claims) throws Exception {
    return TestTokens.sign(new ECDSASigner(key), JWSAlgorithm.ES256, key.getKeyID(), claims);
  }

  @Test
  void acceptsRs256AndEs256FetchingTheKeysOnce() throws Exception {
    TokenVerifier verifier = verifierPublishing(rsa, ec);

    assertThat(accepted(verifier.verify(rs256(rsa, idToken().build()))).userId())
        .isEqualTo("alice");
    assertThat(accepted(verifier.verify(es256(ec, idToken().subject("bob").build()))).userId())
        .isEqualTo("bob");
    assertThat(fetches).hasValue(1);
  }

  @Test
  void fetchesKeysOffTheEventLoopAndAnswersOnIt() throws Exception {
    publish(rsa, ec);
    TokenVerifier verifier = verifierAt("/slow");
    String token = rs256(rsa, idToken().build());
    Promise<Principal> result = Promise.promise();
    Promise<Long> callMillis = Promise.promise();

    vertx.runOnContext(
        v -> {
          long start = System.nanoTime();
          verifier
              .verify(token)
              .onComplete(
                  ar -> {
                    assertThat(Context.isOnEventLoopThread()).isTrue();
                    result.handle(ar);
                  });
          callMillis.complete((System.nanoTime() - start) / 1_000_000);
        });

    assertThat(accepted(result.future()).userId()).isEqualTo("alice");
    assertThat(callMillis.future().toCompletionStage().toCompletableFuture().get())
        .as("verify() returned before the slow key fetch finished")
        .isLessThan(SLOW_MILLIS / 2);
  }

  @Test
  void picksUpARotatedKeyWithoutARestart() throws Exception {
    TokenVerifier verifier = verifierPublishing(rsa);
    assertThat(accepted(verifier.verify(rs256(rsa, idToken().build()))).userId())
        .isEqualTo("alice");
    RSAKey next = new RSAKeyGenerator(2048).keyID("rsa-2").keyUse(KeyUse.SIGNATURE).generate();

    publish(rsa, next);

    assertThat(accepted(verifier.verify(rs256(next, idToken().build()))).userId())
        .isEqualTo("alice");
    assertThat(fetches).hasValue(2);
  }

  @Test
  void rejectsAKeyThatIsNotPublished() throws Exception {
    TokenVerifier verifier = verifierPublishing(rsa, ec);
    RSAKey stranger = new RSAKeyGenerator(2048).keyID("rsa-x").generate();
    String token = rs256(stranger, idToken().build());

    assertThat(rejected(verifier.verify(token), token).getMessage()).contains("key");
  }

  @Test
  void rejectsAForgedSignatureUnderAKnownKid() throws Exception {
    TokenVerifier verifier = verifierPublishing(rsa, ec);
    RSAKey forger = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    String token = rs256(forger, idToken().build());

    assertThat(rejected(verifier.verify(token), token).getMessage()).contains("signature");
  }

  @Test
  void rejectsHs256SignedWithThePublicKey() throws Exception {
    TokenVerifier verifier = verifierPublishing(rsa, ec);
    // The classic confusion: the RSA public key (which anyone can fetch) used as an HMAC secret.
    byte[] publicKey = rsa.toRSAPublicKey().getEncoded();
    String token =
        TestTokens.sign(new MACSigner(publicKey), JWSAlgorithm.HS256, "rsa-1", idToken().build());

    var error = rejected(verifier.verify(token), token);

    assertThat(error.code()).isEqualTo(ErrorCode.INVALID_TOKEN);
    assertThat(error.getMessage()).contains("algorithm");
  }

  @Test
  void rejectsAnUnsignedToken() {
    TokenVerifier verifier = verifierPublishing(rsa, ec);
    String token = new PlainJWT(idToken().build()).serialize();

    assertThat(rejected(verifier.verify(token), token).code()).isEqualTo(ErrorCode.INVALID_TOKEN);
  }

  @Test
  void rejectsAnExpiredToken() throws Exception {
    TokenVerifier verifier = verifierPublishing(rsa, ec);
    Instant longAgo = Instant.now().minusSeconds(7200);
    String token =
        rs256(
            rsa,
            idToken()
                .issueTime(Date.from(longAgo))
                .expirationTime(Date.from(longAgo.plusSeconds(3600)))
                .build());

    assertThat(rejected(verifier.verify(token), token).code()).isEqualTo(ErrorCode.TOKEN_EXPIRED);
  }

  @Test
  void rejectsAWrongIssuer() throws Exception {
    TokenVerifier verifier = verifierPublishing(rsa, ec);
    String token = rs256(rsa, idToken().issuer("https://evil.example").build());

    assertThat(rejected(verifier.verify(token), token).getMessage()).contains("issuer");
  }

  @Test
  void acceptsCognitoAccessTokensByClientId() throws Exception {
    TokenVerifier verifier = verifierPublishing(rsa, ec);
    String token = rs256(rsa, accessToken(CLIENT_ID).build());

    assertThat(accepted(verifier.verify(token)).userId()).isEqualTo("alice");
  }

  @Test
  void rejectsCognitoAccessTokensForAnotherClient() throws Exception {
    TokenVerifier verifier = verifierPublishing(rsa, ec);
    String token = rs256(rsa, accessToken("someotherclient").build());

    assertThat(rejected(verifier.verify(token), token).getMessage()).contains("audience");
  }

  @Test
  void acceptsClientIdOnlyOnAccessTokens() throws Exception {
    TokenVerifier verifier = verifierPublishing(rsa, ec);
    String token = rs256(rsa, accessToken(CLIENT_ID).claim("token_use", "id").build());

    assertThat(rejected(verifier.verify(token), token).getMessage()).contains("audience");
  }

  @Test
  void rejectsIdTokensForAnotherAudience() throws Exception {
    TokenVerifier verifier = verifierPublishing(rsa, ec);
    String token = rs256(rsa, idToken().audience("someotherclient").build());

    assertThat(rejected(verifier.verify(token), token).getMessage()).contains("audience");
  }

  @Test
  void reportsUnavailableKeysAsAnInvalidToken() throws Exception {
    TokenVerifier verifier = verifierAt("/broken");
    String token = rs256(rsa, idToken().build());

    var error = rejected(verifier.verify(token), token);

    assertThat(error.code()).isEqualTo(ErrorCode.INVALID_TOKEN);
    assertThat(error.getMessage()).contains("unavailable");
  }
}
