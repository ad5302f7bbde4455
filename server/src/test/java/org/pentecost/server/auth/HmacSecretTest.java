package org.pentecost.server.auth;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.config.ConfigException;

class HmacSecretTest {
  @TempDir Path dir;

  @Test
  void createsAPrivateSecretFileOnFirstCallAndReusesIt() throws Exception {
    Path dataDir = dir.resolve("data/nested");

    byte[] first = HmacSecret.loadOrCreate(dataDir, "");

    Path file = dataDir.resolve("token-secret");
    assertThat(first).hasSize(32);
    assertThat(Files.getPosixFilePermissions(file))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    assertThat(Base64.getDecoder().decode(Files.readString(file).strip())).isEqualTo(first);
    assertThat(HmacSecret.loadOrCreate(dataDir, null)).isEqualTo(first);
    try (var files = Files.list(dataDir)) {
      assertThat(files).containsExactly(file); // no temporary file left behind
    }
  }

  @Test
  void usesAConfiguredBase64Secret() {
    byte[] random = new byte[32];
    new SecureRandom().nextBytes(random);

    byte[] secret = HmacSecret.loadOrCreate(dir, Base64.getEncoder().encodeToString(random));

    assertThat(secret).isEqualTo(random);
    assertThat(dir.resolve("token-secret")).doesNotExist();
  }

  @Test
  void usesAConfiguredPlainTextSecretAsUtf8() {
    String phrase = "correct horse battery staple, twice over!";

    assertThat(HmacSecret.loadOrCreate(dir, phrase)).isEqualTo(phrase.getBytes(UTF_8));
  }

  @Test
  void takesBase64ThatDecodesTooShortLiterally() {
    // Valid base64, but only 30 bytes decoded: taken as a 40-byte pass phrase instead.
    String forty = "abcdefghijABCDEFGHIJabcdefghijABCDEFGHIJ";

    assertThat(HmacSecret.loadOrCreate(dir, forty)).isEqualTo(forty.getBytes(UTF_8));
  }

  @Test
  void rejectsATooShortConfiguredSecretWithoutEchoingIt() {
    assertThatThrownBy(() -> HmacSecret.loadOrCreate(dir, "hunter2"))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("auth.hmacSecret is too short")
        .hasMessageNotContaining("hunter2");
  }

  @Test
  void rejectsAGarbledSecretFileNamingThePath() throws Exception {
    Path file = dir.resolve("token-secret");
    Files.writeString(file, "this is *not* base64!\n");

    assertThatThrownBy(() -> HmacSecret.loadOrCreate(dir, ""))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("not valid base64");
  }

  @Test
  void rejectsASecretFileHoldingTooFewBytes() throws Exception {
    Path file = dir.resolve("token-secret");
    Files.writeString(file, Base64.getEncoder().encodeToString(new byte[8]));

    assertThatThrownBy(() -> HmacSecret.loadOrCreate(dir, " "))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(file.toString())
        .hasMessageContaining("8 bytes");
  }

  @Test
  void reportsAnUnusableDataDirectoryNamingThePath() throws Exception {
    Path notADir = Files.writeString(dir.resolve("plain-file"), "x");

    assertThatThrownBy(() -> HmacSecret.loadOrCreate(notADir, ""))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining(notADir.toString());
  }

  @Test
  void needsADataDirectoryWhenNothingIsConfigured() {
    assertThatThrownBy(() -> HmacSecret.loadOrCreate(null, ""))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("auth.hmacSecret");
  }
}
