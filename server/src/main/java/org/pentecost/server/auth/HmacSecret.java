package org.pentecost.server.auth;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.US_ASCII;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;
import org.pentecost.server.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HMAC secret that signs and verifies tokens in {@code hmac} mode: the configured one, or one
 * generated on first start and kept in {@code <dataDir>/token-secret} so that tokens survive a
 * restart. Messages name paths and lengths, never secret bytes.
 */
public final class HmacSecret {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** File name inside the data directory. */
  public static final String FILE_NAME = "token-secret";

  /** HS256 needs a key at least as long as its hash (RFC 7518, 3.2). */
  static final int MIN_BYTES = 32;

  private static final Logger log = LoggerFactory.getLogger(HmacSecret.class);
  private static final Set<PosixFilePermission> OWNER_ONLY =
      PosixFilePermissions.fromString("rw-------");

  private HmacSecret() {}

  /**
   * Returns the secret: {@code configured} when non-blank, else the one in {@code
   * <dataDir>/token-secret}, created on first call.
   *
   * @throws ConfigException when the secret is too short or the file cannot be read or written
   */
  public static byte[] loadOrCreate(Path dataDir, String configured) {
    if (configured != null && !configured.isBlank()) {
      return fromConfigured(configured.strip());
    }
    if (dataDir == null) {
      throw new ConfigException(
          "auth.hmacSecret is empty and there is no data directory to keep a generated secret in;"
              + " set server.dataDir or auth.hmacSecret");
    }
    Path file = dataDir.resolve(FILE_NAME);
    return Files.exists(file) ? read(file) : create(dataDir, file);
  }

  private static byte[] fromConfigured(String value) {
    // Base64 wins only when it yields a full-strength key; a long pass phrase that happens to
    // be valid base64 of a few bytes is taken literally instead.
    byte[] decoded = decodeBase64(value);
    if (decoded != null && decoded.length >= MIN_BYTES) {
      return decoded;
    }
    byte[] raw = value.getBytes(UTF_8);
    if (raw.length < MIN_BYTES) {
      throw new ConfigException(
          "auth.hmacSecret is too short: it has "
              + raw.length
              + " bytes, at least "
              + MIN_BYTES
              + " are needed (generate one with `openssl rand -base64 32`)");
    }
    return raw;
  }

  private static byte[] decodeBase64(String value) {
    try {
      return Base64.getDecoder().decode(value);
    } catch (IllegalArgumentException notStandard) {
      try {
        return Base64.getUrlDecoder().decode(value);
      } catch (IllegalArgumentException notUrlSafe) {
        return null;
      }
    }
  }

  private static byte[] read(Path file) {
    String text;
    try {
      text = new String(Files.readAllBytes(file), ISO_8859_1).strip();
    } catch (IOException e) {
      throw new ConfigException(
          "Cannot read the token secret file " + file + " (" + reason(e) + ")", e);
    }
    warnIfShared(file);
    byte[] secret;
    try {
      secret = Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw garbled(file, "it is not valid base64");
    }
    if (secret.length < MIN_BYTES) {
      throw garbled(
          file, "it holds " + secret.length + " bytes, at least " + MIN_BYTES + " needed");
    }
    return secret;
  }

  private static ConfigException garbled(Path file, String why) {
    return new ConfigException(
        "The token secret file "
            + file
            + " is damaged: "
            + why
            + ". Restore it, or delete it to generate a new secret"
            + " (tokens signed with the old one then stop working)");
  }

  private static byte[] create(Path dataDir, Path file) {
    byte[] secret = new byte[MIN_BYTES];
    RANDOM.nextBytes(secret);
    byte[] content = (Base64.getEncoder().encodeToString(secret) + "\n").getBytes(US_ASCII);
    Path tmp = null;
    try {
      Files.createDirectories(dataDir);
      // Written to a private temporary file and moved into place, so that no other user can
      // open it in between and a crash never leaves a half-written secret behind.
      tmp =
          isPosix(dataDir)
              ? Files.createTempFile(
                  dataDir,
                  ".token-secret",
                  ".tmp",
                  PosixFilePermissions.asFileAttribute(OWNER_ONLY))
              : Files.createTempFile(dataDir, ".token-secret", ".tmp");
      try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        channel.write(ByteBuffer.wrap(content));
        channel.force(true);
      }
      try {
        Files.move(tmp, file);
      } catch (FileAlreadyExistsException raced) {
        // Another process sharing the data directory created it first; its secret is the one
        // tokens are being signed with, so use it rather than overwrite it.
        Files.deleteIfExists(tmp);
        return read(file);
      }
      log.info("Generated a new token secret in {}", file);
      return secret;
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw new ConfigException(
          "Cannot create the token secret file " + file + " (" + reason(e) + ")", e);
    }
  }

  private static boolean isPosix(Path dir) throws IOException {
    return Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class);
  }

  private static void warnIfShared(Path file) {
    try {
      if (isPosix(file.getParent() == null ? file : file.getParent())
          && !OWNER_ONLY.containsAll(Files.getPosixFilePermissions(file))) {
        log.warn("The token secret file {} is readable by other users: chmod 600 it", file);
      }
    } catch (IOException | UnsupportedOperationException e) {
      // Only a hint for the operator; the secret itself was read fine.
    }
  }

  private static void deleteQuietly(Path tmp) {
    if (tmp != null) {
      try {
        Files.deleteIfExists(tmp);
      } catch (IOException ignored) {
        // The start-up error that follows matters more than a stray temporary file.
      }
    }
  }

  private static String reason(IOException e) {
    if (e instanceof AccessDeniedException) {
      return "permission denied";
    }
    if (e instanceof NoSuchFileException) {
      return "no such file or directory";
    }
    if (e instanceof FileAlreadyExistsException fe) {
      return fe.getFile() + " exists and is not a directory";
    }
    if (e instanceof FileSystemException fse && fse.getReason() != null) {
      return fse.getReason();
    }
    return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
  }
}
