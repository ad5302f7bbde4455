package org.pentecost.server.tls;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A self-signed certificate for a LAN ({@code pentecost serve --tls-self-signed}): made once with
 * the JDK alone (an EC P-256 key, the X.509 structure encoded by {@link Der}), kept in {@code
 * <dataDir>/tls/}, and made again only when missing, unreadable or within 30 days of its end. It
 * names {@code localhost}, the host name and every address of the machine, so that a phone on the
 * LAN reaches it by IP; it may sign (CA), so that a phone can install it as trusted.
 */
public final class SelfSigned {
  private static final Logger LOG = LoggerFactory.getLogger(SelfSigned.class);

  /** Apple's most for a TLS server certificate trusted through a user-installed root. */
  static final Duration VALIDITY = Duration.ofDays(825);

  private static final Duration RENEW_BEFORE = Duration.ofDays(30);
  private static final SecureRandom RANDOM = new SecureRandom();

  private SelfSigned() {}

  /** The certificate and key files in {@code dataDir/tls/}, made first if needed. */
  public static TlsFiles.Paths ensure(Path dataDir) {
    Path dir = dataDir.resolve("tls");
    Path cert = dir.resolve("self-signed-cert.pem");
    Path key = dir.resolve("self-signed-key.pem");
    if (stillGood(cert, key)) {
      return new TlsFiles.Paths(cert, key);
    }
    try {
      Files.createDirectories(dir);
      Generated g = generate("Pentecost " + hostName(), names(), ZonedDateTime.now(), VALIDITY);
      Files.writeString(key, g.keyPem());
      try {
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system
      }
      Files.writeString(cert, g.certPem());
      LOG.info(
          "generated a self-signed TLS certificate in {} ({})", dir, String.join(", ", names()));
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalStateException("cannot write a self-signed certificate to " + dir, e);
    }
    return new TlsFiles.Paths(cert, key);
  }

  private static boolean stillGood(Path cert, Path key) {
    if (!Files.isRegularFile(cert) || !Files.isRegularFile(key)) {
      return false;
    }
    try {
      X509Certificate c = TlsFiles.load(new TlsFiles.Paths(cert, key)).certificate();
      return c.getNotAfter().toInstant().isAfter(java.time.Instant.now().plus(RENEW_BEFORE));
    } catch (RuntimeException e) {
      LOG.warn(
          "the self-signed certificate in {} is not usable ({}); making a new one",
          cert,
          e.getMessage());
      return false;
    }
  }

  /** A certificate and its key, both PEM. */
  public record Generated(String certPem, String keyPem) {}

  /**
   * A self-signed certificate for {@code names} (host names, and IP addresses in their literal
   * form), valid from a day before {@code from} for {@code validity}.
   */
  public static Generated generate(
      String commonName, List<String> names, ZonedDateTime from, Duration validity)
      throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair keys = generator.generateKeyPair();
    byte[] signatureAlgorithm = Der.sequence(Der.oid("1.2.840.10045.4.3.2")); // ecdsa-with-SHA256
    byte[] name =
        Der.sequence(
            Der.set(Der.sequence(Der.oid("2.5.4.10"), Der.utf8("Pentecost self-signed"))),
            Der.set(Der.sequence(Der.oid("2.5.4.3"), Der.utf8(commonName))));
    byte[] serial = new byte[16];
    RANDOM.nextBytes(serial);
    byte[] spki = keys.getPublic().getEncoded();
    byte[] tbs =
        Der.sequence(
            Der.explicit(0, Der.integer(BigInteger.TWO)), // v3
            Der.integer(new BigInteger(1, serial)),
            signatureAlgorithm,
            name,
            Der.sequence(Der.time(from.minusDays(1)), Der.time(from.plus(validity))),
            name,
            spki,
            Der.explicit(3, extensions(names, spki)));
    Signature signer = Signature.getInstance("SHA256withECDSA");
    signer.initSign(keys.getPrivate());
    signer.update(tbs);
    byte[] certificate = Der.sequence(tbs, signatureAlgorithm, Der.bits(signer.sign(), 0));
    return new Generated(
        Pem.encode("CERTIFICATE", certificate),
        Pem.encode("PRIVATE KEY", keys.getPrivate().getEncoded()));
  }

  private static byte[] extensions(List<String> names, byte[] spki)
      throws GeneralSecurityException {
    List<byte[]> altNames = new ArrayList<>();
    for (String n : names) {
      if (isIpLiteral(n)) {
        try {
          altNames.add(Der.implicit(7, InetAddress.getByName(n).getAddress()));
        } catch (java.net.UnknownHostException e) {
          throw new IllegalArgumentException(n, e);
        }
      } else {
        altNames.add(Der.implicit(2, n.getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
      }
    }
    byte[] keyId = MessageDigest.getInstance("SHA-1").digest(spki);
    return Der.sequence(
        extension("2.5.29.19", true, Der.sequence(Der.bool(true))), // basicConstraints CA
        // keyUsage: digitalSignature (bit 0) and keyCertSign (bit 5)
        extension("2.5.29.15", true, Der.bits(new byte[] {(byte) 0x84}, 2)),
        extension("2.5.29.37", false, Der.sequence(Der.oid("1.3.6.1.5.5.7.3.1"))), // serverAuth
        extension("2.5.29.17", false, Der.sequence(altNames.toArray(byte[][]::new))),
        extension("2.5.29.14", false, Der.octets(keyId)));
  }

  private static byte[] extension(String oid, boolean critical, byte[] value) {
    return critical
        ? Der.sequence(Der.oid(oid), Der.bool(true), Der.octets(value))
        : Der.sequence(Der.oid(oid), Der.octets(value));
  }

  static boolean isIpLiteral(String name) {
    return name.matches("[0-9.]+") || name.contains(":");
  }

  /** {@code localhost}, the host name, and every address of this machine's interfaces. */
  static List<String> names() {
    Set<String> names = new LinkedHashSet<>(List.of("localhost", hostName(), "127.0.0.1"));
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        for (InetAddress a : Collections.list(nic.getInetAddresses())) {
          if (a.isLinkLocalAddress()) {
            continue; // fe80::, different on every link: no browser reaches a page by it
          }
          String text = a.getHostAddress();
          int zone = text.indexOf('%');
          names.add(zone < 0 ? text : text.substring(0, zone));
        }
      }
    } catch (SocketException e) {
      LOG.debug("cannot list network interfaces: {}", e.toString());
    }
    return new ArrayList<>(names);
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (java.net.UnknownHostException e) {
      return "localhost";
    }
  }
}
