package org.pentecost.server.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.config.ConfigException;
import org.pentecost.server.testing.AudioFrames;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * TLS on the public port: a self-signed certificate made once in the data directory, with the
 * machine's names, serving HTTPS and WSS to a client that trusts it (and checks the host name); PEM
 * files that are reloaded when they change, while files that do not read or do not match are not.
 */
class TlsIT {
  @TempDir Path dir;
  @TempDir Path certs;

  @Test
  void selfSignedServesHttpsAndAListenerOverWss() throws Exception {
    try (TestServer node = TestServer.start(dir, Map.of("server.tls.selfSigned", "true"))) {
      Path certFile = dir.resolve("tls/self-signed-cert.pem");
      X509Certificate cert = parse(Files.readString(certFile));
      assertThat(node.server().tlsCertificate()).isEqualTo(cert);
      assertThat(node.server().tlsFingerprint()).matches("([0-9A-F]{2}:){31}[0-9A-F]{2}");
      assertThat(cert.getBasicConstraints()).as("a phone can install it as a root").isNotNegative();
      assertThat(cert.getSubjectAlternativeNames())
          .extracting(n -> (Object) n.get(1))
          .contains((Object) "localhost", "127.0.0.1");
      assertThat(node.baseUrl()).startsWith("https://");
      assertThat(node.get("/health").status()).isEqualTo(200);

      String alice = node.token("alice");
      String id = node.createSession(alice, "en");
      try (WsClient speaker =
              WsClient.connect(node, "sessionId=" + id + "&role=speaker&token=" + alice);
          WsClient listener = WsClient.connect(node, "sessionId=" + id)) {
        speaker.awaitType("sessionJoined");
        listener.awaitType("sessionJoined");
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> node.listenerCount(id) == 1);
        for (int n = 1; n <= 5; n++) {
          speaker.sendBinary(AudioFrames.pcm(n));
        }
        AudioFrames.assertRun(AudioFrames.receive(listener, 5), 1, 1);
      }
    }
    // Made once: a second start serves the same certificate.
    String first = Files.readString(dir.resolve("tls/self-signed-cert.pem"));
    try (TestServer again = TestServer.start(dir, Map.of("server.tls.selfSigned", "true"))) {
      assertThat(again.server().tlsCertificate()).isEqualTo(parse(first));
    }
  }

  @Test
  void givenPemFilesAreServedAndReloadedWhenReplaced() throws Exception {
    Path cert = certs.resolve("fullchain.pem");
    Path key = certs.resolve("privkey.pem");
    write(cert, key, generate("first"));
    try (TestServer node =
        TestServer.start(
            dir,
            Map.of(
                "server.tls.certFile", cert.toString(),
                "server.tls.keyFile", key.toString(),
                "server.tls.reloadInterval", "100ms"))) {
      assertThat(servedName(node.port())).isEqualTo("CN=first,O=Pentecost self-signed");

      SelfSigned.Generated second = generate("second");
      write(cert, key, second);
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> servedName(node.port()).startsWith("CN=second"));
      String secondPrint = TlsFiles.fingerprint(parse(second.certPem()));
      Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> secondPrint.equals(node.server().tlsFingerprint()));

      // Half a renewal (a new certificate beside the old key) and a broken file are not served.
      Files.writeString(cert, generate("third").certPem());
      Thread.sleep(500);
      assertThat(servedName(node.port())).startsWith("CN=second");
      Files.writeString(cert, "not a certificate");
      Thread.sleep(500);
      assertThat(servedName(node.port())).startsWith("CN=second");
      // The matching key arrives: now it is.
      SelfSigned.Generated fourth = generate("fourth");
      write(cert, key, fourth);
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> servedName(node.port()).startsWith("CN=fourth"));
    }
  }

  @Test
  void aKeyThatIsNotTheCertificatesStopsTheStart() throws Exception {
    Path cert = certs.resolve("cert.pem");
    Path key = certs.resolve("key.pem");
    Files.writeString(cert, generate("a").certPem());
    Files.writeString(key, generate("b").keyPem());
    assertThatThrownBy(
            () ->
                TestServer.start(
                    dir,
                    Map.of(
                        "server.tls.certFile", cert.toString(),
                        "server.tls.keyFile", key.toString())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("is not the key of the certificate");
  }

  private static SelfSigned.Generated generate(String name) throws Exception {
    return SelfSigned.generate(
        name, List.of("localhost", "127.0.0.1"), ZonedDateTime.now(), Duration.ofDays(30));
  }

  private static void write(Path cert, Path key, SelfSigned.Generated g) throws Exception {
    Files.writeString(key, g.keyPem());
    Files.writeString(cert, g.certPem());
  }

  private static X509Certificate parse(String pem) throws Exception {
    return (X509Certificate)
        CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
  }

  /** The subject of the certificate a new TLS connection to the port is given. */
  private static String servedName(int port) throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {new TrustAll()}, null);
    try (SSLSocket socket =
        (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(5000);
      socket.startHandshake();
      X509Certificate served = (X509Certificate) socket.getSession().getPeerCertificates()[0];
      return served.getSubjectX500Principal().getName();
    }
  }

  /** Accepts any certificate: the test reads which one is served, it does not trust it. */
  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
