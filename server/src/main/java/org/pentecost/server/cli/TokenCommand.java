package org.pentecost.server.cli;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.pentecost.server.auth.HmacSecret;
import org.pentecost.server.auth.TokenMinter;
import org.pentecost.server.config.ConfigException;
import org.pentecost.server.config.Durations;
import org.pentecost.server.config.PentecostConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pentecost token --user ID}: mints an HS256 speaker token; prints only the token. */
@Command(
    name = "token",
    description = "Mint a speaker token signed with the data directory's secret (hmac mode).")
final class TokenCommand implements Callable<Integer> {
  @Mixin ConfigOptions options;

  @Option(
      names = "--user",
      required = true,
      paramLabel = "ID",
      description = "The token's subject.")
  String user;

  @Option(
      names = "--ttl",
      paramLabel = "DURATION",
      description = "Lifetime, e.g. 30m, 12h, 7d (default: auth.devTokenTtl, 12h).")
  String ttl;

  @Override
  public Integer call() {
    PentecostConfig config = options.load();
    if (config.auth().isJwks()) {
      throw new ConfigException(
          "auth.mode is jwks: tokens come from your identity provider, not from pentecost");
    }
    if (user.isBlank()) {
      throw new ConfigException("--user must not be blank");
    }
    Duration lifetime = ttl == null ? config.auth().devTokenTtl() : Durations.parse(ttl);
    byte[] secret = HmacSecret.loadOrCreate(config.server().dataDir(), config.auth().hmacSecret());
    System.out.println(
        TokenMinter.mint(secret, config.auth().issuer(), user, lifetime, Clock.systemUTC()));
    return 0;
  }
}
