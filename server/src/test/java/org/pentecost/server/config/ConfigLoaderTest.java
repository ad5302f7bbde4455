package org.pentecost.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  @Test
  void defaultsMatchTheSpec() {
    PentecostConfig c = new ConfigLoader().load();
    assertThat(c.profile()).isEqualTo("dev");
    assertThat(c.server().port()).isEqualTo(8080);
    assertThat(c.server().dataDir()).isEqualTo(Path.of("./data"));
    assertThat(c.sessions().ttl()).isEqualTo(Duration.ofHours(24));
    assertThat(c.sessions().languages()).hasSize(19).contains("no", "fi");
    assertThat(c.limits().sessionCreatesPerHour()).isEqualTo(50);
    assertThat(c.limits().httpRequestsPerSecond()).isEqualTo(10_000);
    assertThat(c.limits().httpBurst()).isEqualTo(5_000);
    assertThat(c.auth().mode()).isEqualTo("hmac");
  }

  @Test
  void fileThenEnvironmentThenFlagsEachWin() throws Exception {
    Path file = dir.resolve("pentecost.yaml");
    Files.writeString(
        file,
        "server:\n  port: 9000\n  nodeId: from-file\nsessions:\n  ttl: 2h\n  languages: [en, es]\n");
    PentecostConfig fileOnly = new ConfigLoader().file(file).load();
    assertThat(fileOnly.server().port()).isEqualTo(9000);
    assertThat(fileOnly.sessions().ttl()).isEqualTo(Duration.ofHours(2));
    assertThat(fileOnly.sessions().languages()).containsExactly("en", "es");

    Map<String, String> env =
        Map.of(
            "PENTECOST_SERVER_PORT", "9100",
            "PENTECOST_SESSIONS_LANGUAGES", "fr, de,it",
            "PENTECOST_LIMITS_SESSION_CREATES_PER_HOUR", "7");
    PentecostConfig withEnv = new ConfigLoader().file(file).env(env).load();
    assertThat(withEnv.server().port()).isEqualTo(9100);
    assertThat(withEnv.server().nodeId()).isEqualTo("from-file");
    assertThat(withEnv.sessions().languages()).containsExactly("fr", "de", "it");
    assertThat(withEnv.limits().sessionCreatesPerHour()).isEqualTo(7);

    PentecostConfig withFlag = new ConfigLoader().file(file).env(env).flag("server.port", 0).load();
    assertThat(withFlag.server().port()).isZero();
  }

  @Test
  void storeRecoverIsOffByDefaultAndIsForTheEmbeddedStoreOnly() {
    assertThat(new ConfigLoader().load().store().recover()).isFalse();
    assertThat(
            new ConfigLoader()
                .env(Map.of("PENTECOST_STORE_RECOVER", "true"))
                .load()
                .store()
                .recover())
        .isTrue();
    assertThatThrownBy(
            () -> new ConfigLoader().flag("store.recover", true).flag("store.type", "redis").load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("store.recover");
  }

  @Test
  void environmentNamesFollowTheKeyPaths() {
    assertThat(ConfigLoader.envName("server.dataDir")).isEqualTo("PENTECOST_SERVER_DATA_DIR");
    assertThat(ConfigLoader.envName("limits.httpRequestsPerSecond"))
        .isEqualTo("PENTECOST_LIMITS_HTTP_REQUESTS_PER_SECOND");
  }

  @Test
  void durationsReadInHumanForm() {
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("30s")).isEqualTo(Duration.ofSeconds(30));
    assertThat(Durations.parse("10m")).isEqualTo(Duration.ofMinutes(10));
    assertThat(Durations.parse("7d")).isEqualTo(Duration.ofDays(7));
    assertThat(Durations.parse("PT1H")).isEqualTo(Duration.ofHours(1));
    assertThatThrownBy(() -> Durations.parse("soon")).hasMessageContaining("not a duration");
  }

  @Test
  void mistakesAreClearErrors() throws Exception {
    Path typo = dir.resolve("typo.yaml");
    Files.writeString(typo, "server:\n  prot: 9000\n");
    assertThatThrownBy(() -> new ConfigLoader().file(typo).load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("prot");
    assertThatThrownBy(() -> new ConfigLoader().file(dir.resolve("missing.yaml")).load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("not found");
    assertThatThrownBy(
            () -> new ConfigLoader().env(Map.of("PENTECOST_SESSIONS_TTL", "forever")).load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("forever");
    assertThatThrownBy(() -> new ConfigLoader().flag("server.nope", 1).load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("server.nope");
    assertThatThrownBy(() -> new ConfigLoader().flag("profile", "test").load())
        .isInstanceOf(ConfigException.class);
  }

  @Test
  void prodRefusesToStartWithoutExplicitAuth() {
    assertThatThrownBy(() -> new ConfigLoader().flag("profile", "prod").load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("explicit auth");
    PentecostConfig jwks =
        new ConfigLoader()
            .env(
                Map.of(
                    "PENTECOST_PROFILE", "prod",
                    "PENTECOST_AUTH_MODE", "jwks",
                    "PENTECOST_AUTH_JWKS_URL", "https://idp.example/.well-known/jwks.json",
                    "PENTECOST_AUTH_ISSUER", "https://idp.example/"))
            .load();
    assertThat(jwks.isProd()).isTrue();
    assertThat(jwks.server().corsOrigins()).isEqualTo(List.of());
    PentecostConfig hmac =
        new ConfigLoader()
            .flag("profile", "prod")
            .flag("auth.mode", "hmac")
            .flag("auth.hmacSecret", "x".repeat(40))
            .load();
    assertThat(hmac.auth().isJwks()).isFalse();
  }

  @Test
  void jwksModeNeedsUrlAndIssuer() {
    assertThatThrownBy(
            () -> new ConfigLoader().flag("auth.mode", "jwks").flag("auth.issuer", "").load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("jwksUrl");
  }

  @Test
  void theStoreIsEmbeddedUnlessRedisIsChosen() {
    PentecostConfig c = new ConfigLoader().load();
    assertThat(c.store().type()).isEqualTo("embedded");
    assertThat(c.store().isRedis()).isFalse();
    assertThat(c.store().nodeLease()).isEqualTo(Duration.ofSeconds(10));
    assertThat(c.store().redis().url()).isEqualTo("redis://127.0.0.1:6379");
    assertThat(c.store().redis().mode()).isEqualTo("standalone");
    assertThat(c.store().redis().keyPrefix()).isEqualTo("pentecost:");

    PentecostConfig redis =
        new ConfigLoader()
            .env(
                Map.of(
                    "PENTECOST_STORE_TYPE", "redis",
                    "PENTECOST_STORE_REDIS_URL", "rediss://:secret@redis.internal:6380",
                    "PENTECOST_STORE_REDIS_MODE", "cluster",
                    "PENTECOST_STORE_REDIS_ENDPOINTS", "redis://a:7000, redis://b:7000",
                    "PENTECOST_STORE_NODE_LEASE", "5s"))
            .load();
    assertThat(redis.store().isRedis()).isTrue();
    assertThat(redis.store().redis().url()).isEqualTo("rediss://:secret@redis.internal:6380");
    assertThat(redis.store().redis().isCluster()).isTrue();
    assertThat(redis.store().redis().endpoints())
        .containsExactly("redis://a:7000", "redis://b:7000");
    assertThat(redis.store().nodeLease()).isEqualTo(Duration.ofSeconds(5));

    PentecostConfig flags =
        new ConfigLoader()
            .env(Map.of("PENTECOST_STORE_TYPE", "redis"))
            .flag("store.type", "embedded")
            .load();
    assertThat(flags.store().isRedis()).isFalse();
  }

  @Test
  void storeMistakesAreClearErrors() {
    assertThatThrownBy(() -> new ConfigLoader().flag("store.type", "dynamo").load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("store.type");
    assertThatThrownBy(
            () -> new ConfigLoader().flag("store.redis.url", "http://u:hunter2@redis:6379").load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("redis://")
        .hasMessageNotContaining("hunter2");
    assertThatThrownBy(() -> new ConfigLoader().flag("store.redis.mode", "sentinel").load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("store.redis.mode");
    assertThatThrownBy(() -> new ConfigLoader().flag("store.nodeLease", "100ms").load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("nodeLease");
    assertThatThrownBy(() -> new ConfigLoader().flag("server.nodeId", "web|1").load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("server.nodeId");
  }

  @Test
  void passwordsAreRedactedFromRedisUrls() {
    assertThat(ConfigLoader.redactPassword("redis://user:hunter2@host:6379/0"))
        .isEqualTo("redis://user:***@host:6379/0");
    assertThat(ConfigLoader.redactPassword("rediss://:hunter2@host:6380"))
        .isEqualTo("rediss://:***@host:6380");
    assertThat(ConfigLoader.redactPassword("redis://host:6379")).isEqualTo("redis://host:6379");
  }

  @Test
  void secretsComeFromFilesNamedByFileVariables() throws Exception {
    Path hmac = dir.resolve("hmac");
    Files.writeString(hmac, "  file-secret-0123456789abcdef0123456789abcdef\n");
    Path signing = dir.resolve("signing");
    Files.writeString(signing, "signing-secret-0123456789\n");
    Path keys = dir.resolve("keys");
    Files.writeString(keys, "backend-key-one-0123456789\nbackend-key-two-0123456789\n");
    PentecostConfig config =
        new ConfigLoader()
            .env(
                Map.of(
                    "PENTECOST_AUTH_HMAC_SECRET_FILE", hmac.toString(),
                    "PENTECOST_BACKEND_SIGNING_SECRET_FILE", signing.toString(),
                    "PENTECOST_BACKEND_KEYS_FILE", keys.toString()))
            .load();
    assertThat(config.auth().hmacSecret())
        .isEqualTo("file-secret-0123456789abcdef0123456789abcdef");
    assertThat(config.backend().signingSecret()).isEqualTo("signing-secret-0123456789");
    assertThat(config.backend().keys())
        .containsExactly("backend-key-one-0123456789", "backend-key-two-0123456789");

    // prod takes a secret from a file as explicit configuration
    PentecostConfig prod =
        new ConfigLoader()
            .env(
                Map.of(
                    "PENTECOST_PROFILE", "prod",
                    "PENTECOST_AUTH_MODE", "hmac",
                    "PENTECOST_AUTH_HMAC_SECRET_FILE", hmac.toString()))
            .load();
    assertThat(prod.auth().hmacSecret()).startsWith("file-secret");
  }

  @Test
  void aFileVariableBesideItsValueOrNamingNoFileIsAnError() throws Exception {
    Path hmac = dir.resolve("hmac");
    Files.writeString(hmac, "file-secret-0123456789abcdef0123456789abcdef");
    assertThatThrownBy(
            () ->
                new ConfigLoader()
                    .env(
                        Map.of(
                            "PENTECOST_AUTH_HMAC_SECRET",
                            "x",
                            "PENTECOST_AUTH_HMAC_SECRET_FILE",
                            hmac.toString()))
                    .load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("are both set");
    assertThatThrownBy(
            () ->
                new ConfigLoader()
                    .env(Map.of("PENTECOST_AUTH_HMAC_SECRET_FILE", dir.resolve("nope").toString()))
                    .load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("PENTECOST_AUTH_HMAC_SECRET_FILE")
        .hasMessageContaining("cannot be read");
  }

  @Test
  void adminPortAndTlsAreChecked() {
    assertThat(new ConfigLoader().env(Map.of()).load().server().hasAdminPort()).isFalse();
    assertThatThrownBy(() -> new ConfigLoader().env(Map.of()).flag("server.adminPort", 8080).load())
        .hasMessageContaining("server.adminPort");
    assertThatThrownBy(
            () -> new ConfigLoader().env(Map.of()).flag("server.tls.certFile", "/x.pem").load())
        .hasMessageContaining("go together");
    assertThatThrownBy(
            () ->
                new ConfigLoader()
                    .env(
                        Map.of(
                            "PENTECOST_SERVER_TLS_CERT_FILE", "/c.pem",
                            "PENTECOST_SERVER_TLS_KEY_FILE", "/k.pem",
                            "PENTECOST_SERVER_TLS_SELF_SIGNED", "true"))
                    .load())
        .hasMessageContaining("not both");
  }

  @Test
  void publicUrlMustBeAnAbsoluteHttpUrl() {
    assertThat(new ConfigLoader().env(Map.of()).load().server().publicUrl()).isEmpty();
    assertThat(
            new ConfigLoader()
                .env(Map.of("PENTECOST_SERVER_PUBLIC_URL", "https://pentecost.example.org"))
                .load()
                .server()
                .publicUrl())
        .isEqualTo("https://pentecost.example.org");
    for (String bad :
        new String[] {
          "pentecost.example.org", "ftp://x.org", "https://", "http://x.org/?a=1", "::"
        }) {
      assertThatThrownBy(
              () -> new ConfigLoader().env(Map.of()).flag("server.publicUrl", bad).load())
          .as(bad)
          .isInstanceOf(ConfigException.class)
          .hasMessageContaining("server.publicUrl");
    }
  }
}
