package org.pentecost.server.tls;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A certificate (chain) and its private key as PEM files, read and checked: the chain parses, and a
 * PKCS#8 key ({@code BEGIN PRIVATE KEY}) is proved to belong to the certificate by signing with it
 * (so that a renewal caught half-written, the new certificate beside the old key, is not served).
 * Other key forms ({@code BEGIN RSA PRIVATE KEY}, {@code BEGIN EC PRIVATE KEY}) are passed to the
 * server as they are.
 */
public final class TlsFiles {
  private TlsFiles() {}

  /** The two files. */
  public record Paths(Path cert, Path key) {}

  /** What was read: the PEM texts, the leaf certificate and its SHA-256 fingerprint. */
  public record Loaded(Paths paths, String certPem, String keyPem, X509Certificate certificate) {
    /** The server's key and certificate options, from the bytes read (not the paths). */
    public PemKeyCertOptions options() {
      return new PemKeyCertOptions()
          .addCertValue(Buffer.buffer(certPem))
          .addKeyValue(Buffer.buffer(keyPem));
    }

    /** The leaf certificate's SHA-256 fingerprint, {@code AB:CD:...}. */
    public String fingerprint() {
      return TlsFiles.fingerprint(certificate);
    }
  }

  /** Reads and checks both files; throws {@link IllegalArgumentException} saying what is wrong. */
  public static Loaded load(Paths paths) {
    String certPem = read(paths.cert());
    String keyPem = read(paths.key());
    List<X509Certificate> chain;
    try {
      chain =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(
                  new ByteArrayInputStream(certPem.getBytes(StandardCharsets.US_ASCII)))
              .stream()
              .map(X509Certificate.class::cast)
              .toList();
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(paths.cert() + " holds no readable certificate", e);
    }
    if (chain.isEmpty()) {
      throw new IllegalArgumentException(paths.cert() + " holds no certificate");
    }
    List<Pem.Block> keys = Pem.decode(keyPem);
    if (keys.isEmpty() || !keys.get(0).label().endsWith("PRIVATE KEY")) {
      throw new IllegalArgumentException(paths.key() + " holds no PEM private key");
    }
    if (keys.get(0).label().equals("PRIVATE KEY")) {
      checkPair(chain.get(0), keys.get(0).der(), paths);
    }
    return new Loaded(paths, certPem, keyPem, chain.get(0));
  }

  private static void checkPair(X509Certificate cert, byte[] pkcs8, Paths paths) {
    String algorithm = cert.getPublicKey().getAlgorithm();
    try {
      PrivateKey key =
          KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
      String scheme =
          switch (algorithm) {
            case "EC" -> "SHA256withECDSA";
            case "RSA" -> "SHA256withRSA";
            default -> algorithm; // Ed25519, Ed448
          };
      byte[] challenge = "pentecost key check".getBytes(StandardCharsets.US_ASCII);
      Signature sign = Signature.getInstance(scheme);
      sign.initSign(key);
      sign.update(challenge);
      byte[] signature = sign.sign();
      Signature verify = Signature.getInstance(scheme);
      verify.initVerify(cert.getPublicKey());
      verify.update(challenge);
      if (!verify.verify(signature)) {
        throw new IllegalArgumentException(
            paths.key() + " is not the key of the certificate in " + paths.cert());
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(
          paths.key() + " is not a usable key for the certificate in " + paths.cert(), e);
    }
  }

  /** SHA-256 of the certificate's DER form, as colon-separated upper-case hex. */
  public static String fingerprint(X509Certificate cert) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(cert.getEncoded());
      return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read " + file + ": " + e.getMessage().toLowerCase(Locale.ROOT), e);
    }
  }
}
