package org.pentecost.server.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.ServerProcess;
import org.pentecost.server.testing.ServerProcess.Result;

/** The command line as a user runs it, in a separate JVM. */
class CliIT {
  @TempDir Path dir;

  @Test
  void tokenPrintsOnlyTheTokenAndKeepsTheSecret() throws Exception {
    Result r =
        ServerProcess.run(
            "token", "--user", "pastor-john", "--data-dir", dir.toString(), "--ttl", "2h");
    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout().strip()).matches("[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+");
    assertThat(r.stdout().lines().count()).isEqualTo(1);
    assertThat(Files.exists(dir.resolve("token-secret"))).isTrue();
  }

  @Test
  void versionPrintsTheVersion() throws Exception {
    Result r = ServerProcess.run("version");
    assertThat(r.exitCode()).isZero();
    assertThat(r.stdout()).startsWith("pentecost ");
  }

  @Test
  void serveStartsAndPrintsWhereItListensAndADevToken() throws Exception {
    try (ServerProcess p = ServerProcess.serve(dir)) {
      assertThat(p.port()).isPositive();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(String.join("\n", p.output()))
                      .contains("/health")
                      .contains("/speak")
                      .contains("/listen/<session code>")
                      .containsPattern("WebSocket +ws://[^ ]+:" + p.port() + "/ws")
                      .contains("export TOKEN="));
    }
  }

  @Test
  void serveWithASelfSignedCertificatePrintsWssUrlsAndItsFingerprint() throws Exception {
    try (ServerProcess p = ServerProcess.serve(dir, "--tls-self-signed")) {
      Path cert = dir.resolve("tls/self-signed-cert.pem");
      java.security.cert.X509Certificate parsed =
          (java.security.cert.X509Certificate)
              java.security.cert.CertificateFactory.getInstance("X.509")
                  .generateCertificate(Files.newInputStream(cert));
      String fingerprint = org.pentecost.server.tls.TlsFiles.fingerprint(parsed);
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(String.join("\n", p.output()))
                      .contains("https://localhost:" + p.port())
                      .containsPattern("WebSocket +wss://[^ ]+:" + p.port() + "/ws")
                      .contains("self-signed, SHA-256 " + fingerprint)
                      .contains("export TOKEN="));
    }
  }

  @Test
  void aCorruptDataDirectoryIsAClearErrorNotAStackTrace() throws Exception {
    Files.write(dir.resolve("sessions.mv.db"), "this is not a store".repeat(500).getBytes());
    Result r = ServerProcess.run("serve", "--port", "0", "--data-dir", dir.toString());
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("error:").contains(dir.toString()).doesNotContain("\tat ");
  }

  @Test
  void badConfigurationIsAClearError() throws Exception {
    Result r =
        ServerProcess.run(
            "serve", "--port", "0", "--data-dir", dir.toString(), "--profile", "prod");
    assertThat(r.exitCode()).isEqualTo(2);
    assertThat(r.stderr()).contains("explicit auth").doesNotContain("\tat ");
  }
}
