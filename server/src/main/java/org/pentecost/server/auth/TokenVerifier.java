package org.pentecost.server.auth;

import io.vertx.core.Future;

/**
 * Verifies the bearer tokens of speakers and workers.
 *
 * <p>Contract: never blocks the calling event loop (remote key fetches run elsewhere); fails with
 * an {@link org.pentecost.server.error.ApiException} whose code is {@code MISSING_TOKEN}, {@code
 * INVALID_TOKEN} or {@code TOKEN_EXPIRED}; never writes the token, or any part of it, to a log or
 * an error message.
 */
public interface TokenVerifier {

  /** Verifies {@code token} (without the {@code Bearer } prefix; null or blank means missing). */
  Future<Principal> verify(String token);
}
