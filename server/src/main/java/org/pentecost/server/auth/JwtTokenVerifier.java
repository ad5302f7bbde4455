package org.pentecost.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.jwk.source.RateLimitReachedException;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSKeySelector;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Path;
import java.security.Key;
import java.text.ParseException;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.spec.SecretKeySpec;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.server.config.ConfigException;
import org.pentecost.server.config.PentecostConfig;
import org.pentecost.server.error.ApiException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Verifies speaker and worker JWTs with nimbus-jose-jwt, against a shared HMAC secret ({@code hmac}
 * mode) or the keys published at a JWKS URL ({@code jwks} mode: Cognito, Keycloak, Auth0, Google).
 * Each mode accepts only its own family of algorithms, which rules out {@code alg: none} and the
 * classic confusion of verifying an HS256 token with an RSA public key as the secret.
 */
public final class JwtTokenVerifier implements TokenVerifier {
  private static final Logger log = LoggerFactory.getLogger(JwtTokenVerifier.class);

  /** Longer strings are not parsed: no real token comes close, and parsing costs memory. */
  static final int MAX_TOKEN_CHARS = 16 * 1024;

  private static final Set<JWSAlgorithm> HMAC_ALGORITHMS =
      Set.of(JWSAlgorithm.HS256, JWSAlgorithm.HS384, JWSAlgorithm.HS512);
  private static final Set<JWSAlgorithm> JWKS_ALGORITHMS =
      Set.of(
          JWSAlgorithm.RS256,
          JWSAlgorithm.RS384,
          JWSAlgorithm.RS512,
          JWSAlgorithm.PS256,
          JWSAlgorithm.PS384,
          JWSAlgorithm.PS512,
          JWSAlgorithm.ES256,
          JWSAlgorithm.ES384,
          JWSAlgorithm.ES512);

  // No typ (Cognito, Google), "JWT" (Keycloak, our own) or RFC 9068 access tokens (Auth0, Okta).
  private static final DefaultJOSEObjectTypeVerifier<SecurityContext> TYPES =
      new DefaultJOSEObjectTypeVerifier<>(
          null, JOSEObjectType.JWT, new JOSEObjectType("at+jwt"), new JOSEObjectType("AT+JWT"));

  private static final int HTTP_TIMEOUT_MS = 2_000;
  private static final int HTTP_SIZE_LIMIT = 256 * 1024;
  private static final long UNAVAILABLE_LOG_INTERVAL_MS = 30_000;

  private final Vertx vertx;
  private final boolean remoteKeys;
  private final String keySource;
  private final Set<JWSAlgorithm> algorithms;
  private final DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
  private final AtomicLong lastUnavailableLog = new AtomicLong();
  private final VerifiedTokens verified = new VerifiedTokens();
  private final Clock clock;

  /**
   * @param hmacSecretOrNull the HMAC secret (at least 32 bytes) in {@code hmac} mode; ignored in
   *     {@code jwks} mode
   */
  public JwtTokenVerifier(Vertx vertx, PentecostConfig.Auth auth, byte[] hmacSecretOrNull) {
    this(vertx, auth, hmacSecretOrNull, Clock.systemUTC());
  }

  JwtTokenVerifier(Vertx vertx, PentecostConfig.Auth auth, byte[] hmacSecretOrNull, Clock clock) {
    this.vertx = vertx;
    this.clock = clock;
    this.remoteKeys = auth.isJwks();
    this.algorithms = remoteKeys ? JWKS_ALGORITHMS : HMAC_ALGORITHMS;
    JWSKeySelector<SecurityContext> keys;
    if (remoteKeys) {
      URL url = jwksUrl(auth.jwksUrl());
      this.keySource = "JWKS " + url;
      keys = new JWSVerificationKeySelector<>(algorithms, remoteJwks(url, auth));
    } else {
      if (hmacSecretOrNull == null || hmacSecretOrNull.length < HmacSecret.MIN_BYTES) {
        throw new ConfigException("auth.mode=hmac needs a secret of at least 32 bytes");
      }
      this.keySource = "HMAC secret";
      List<Key> secret = List.of(new SecretKeySpec(hmacSecretOrNull.clone(), "HmacSHA256"));
      // A token's kid cannot pick a different key: there is exactly one secret.
      keys = (header, context) -> algorithms.contains(header.getAlgorithm()) ? secret : List.of();
    }
    processor.setJWSTypeVerifier(TYPES);
    processor.setJWSKeySelector(
        (header, context) -> {
          List<? extends Key> found = keys.selectJWSKeys(header, context);
          if (found.isEmpty()) {
            throw new UnknownKey();
          }
          return found;
        });
    processor.setJWTClaimsSetVerifier(
        new ClaimsPolicy(auth.issuer(), auth.audiences(), auth.clockSkew(), clock));
  }

  /** Builds the verifier for {@code auth}, loading or creating the HMAC secret in hmac mode. */
  public static TokenVerifier create(Vertx vertx, PentecostConfig.Auth auth, Path dataDir) {
    byte[] secret = auth.isJwks() ? null : HmacSecret.loadOrCreate(dataDir, auth.hmacSecret());
    return new JwtTokenVerifier(vertx, auth, secret);
  }

  @Override
  public Future<Principal> verify(String token) {
    if (token == null || token.isBlank()) {
      return Future.failedFuture(new ApiException(ErrorCode.MISSING_TOKEN, "A token is required"));
    }
    Principal known =
        token.length() <= VerifiedTokens.MAX_TOKEN_CHARS
            ? verified.get(token, clock.millis())
            : null;
    if (known != null) {
      return Future.succeededFuture(known);
    }
    if (remoteKeys) {
      // A cache miss fetches keys over HTTP, which must not stall an event loop.
      return vertx.executeBlocking(() -> verifyNow(token), false);
    }
    try {
      return Future.succeededFuture(verifyNow(token));
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
  }

  private Principal verifyNow(String token) {
    if (token.length() > MAX_TOKEN_CHARS) {
      throw invalid("Token is too long");
    }
    try {
      JWT jwt = JWTParser.parse(token.strip());
      if (!(jwt instanceof SignedJWT signed)) {
        throw invalid(
            jwt instanceof PlainJWT
                ? "Unsigned tokens are not accepted"
                : "Encrypted tokens are not accepted");
      }
      if (!algorithms.contains(signed.getHeader().getAlgorithm())) {
        throw invalid("Token signing algorithm is not accepted");
      }
      if (!TYPES.getAllowedTypes().contains(signed.getHeader().getType())) {
        throw invalid("Token type is not accepted");
      }
      JWTClaimsSet claims = processor.process(signed, null);
      Principal principal = new Principal(claims.getSubject());
      Date exp = claims.getExpirationTime();
      verified.put(token, principal, exp == null ? null : exp.toInstant(), clock.millis());
      return principal;
    } catch (ApiException e) {
      throw e;
    } catch (ParseException e) {
      throw invalid("Token is malformed");
    } catch (ClaimsPolicy.Rejected e) {
      throw new ApiException(e.code, e.getMessage());
    } catch (BadJWSException e) {
      throw invalid("Token signature is invalid");
    } catch (BadJOSEException e) {
      throw invalid("Token was rejected");
    } catch (UnknownKey | RateLimitReachedException e) {
      // A rate-limited refresh means the kid was just looked up and not found.
      throw invalid("Token signing key is unknown");
    } catch (KeySourceException e) {
      logUnavailable(e);
      throw invalid("Token cannot be verified now: signing keys are unavailable");
    } catch (JOSEException | RuntimeException e) {
      // Only the type: an unexpected message might echo part of the token.
      log.warn("Token verification against the {} failed: {}", keySource, e.getClass().getName());
      throw invalid("Token cannot be verified");
    }
  }

  private void logUnavailable(KeySourceException e) {
    long now = System.currentTimeMillis();
    long last = lastUnavailableLog.get();
    // One line per interval is enough to alert the operator without flooding the log.
    if (now - last >= UNAVAILABLE_LOG_INTERVAL_MS && lastUnavailableLog.compareAndSet(last, now)) {
      log.warn("Cannot fetch the {}: {}", keySource, e.getMessage());
    }
  }

  private static ApiException invalid(String message) {
    return new ApiException(ErrorCode.INVALID_TOKEN, message);
  }

  private static URL jwksUrl(String value) {
    if (value == null || value.isBlank()) {
      throw new ConfigException("auth.mode=jwks needs auth.jwksUrl");
    }
    try {
      URL url = URI.create(value.strip()).toURL();
      if (!url.getProtocol().equals("https") && !url.getProtocol().equals("http")) {
        throw new ConfigException("auth.jwksUrl must be an http(s) URL: " + value);
      }
      return url;
    } catch (IllegalArgumentException | MalformedURLException e) {
      throw new ConfigException("auth.jwksUrl is not a valid URL: " + value);
    }
  }

  private static JWKSource<SecurityContext> remoteJwks(URL url, PentecostConfig.Auth auth) {
    long ttl =
        Math.max(1_000, auth.jwksCacheTtl() == null ? 300_000 : auth.jwksCacheTtl().toMillis());
    // nimbus requires the rate-limit interval below the TTL and refresh-ahead plus refresh
    // timeout within it; the defaults (30 s, 30 s, 15 s) suit the usual 5 minute TTL.
    long rateLimit = Math.min(JWKSourceBuilder.DEFAULT_RATE_LIMIT_MIN_INTERVAL, ttl / 2);
    long refreshTimeout = Math.min(JWKSourceBuilder.DEFAULT_CACHE_REFRESH_TIMEOUT, ttl / 4);
    long refreshAhead = Math.min(JWKSourceBuilder.DEFAULT_REFRESH_AHEAD_TIME, ttl / 4);
    return JWKSourceBuilder.<SecurityContext>create(
            url, new DefaultResourceRetriever(HTTP_TIMEOUT_MS, HTTP_TIMEOUT_MS, HTTP_SIZE_LIMIT))
        .cache(ttl, refreshTimeout)
        .refreshAheadCache(refreshAhead, null, refreshExecutor(), true, null, false)
        .rateLimited(rateLimit)
        .retrying(true)
        .build();
  }

  // nimbus's default refresh thread is not a daemon and would keep the JVM alive at shutdown.
  private static ExecutorService refreshExecutor() {
    return Executors.newSingleThreadExecutor(
        runnable -> {
          Thread thread = new Thread(runnable, "pentecost-jwks-refresh");
          thread.setDaemon(true);
          return thread;
        });
  }

  /** No key of the token's algorithm and kid: a foreign token, or a rotation not yet seen. */
  private static final class UnknownKey extends KeySourceException {
    UnknownKey() {
      super("no matching key");
    }
  }
}
