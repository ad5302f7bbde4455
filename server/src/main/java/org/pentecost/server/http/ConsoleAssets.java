package org.pentecost.server.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.MimeMapping;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * The console's files, read once from {@code webroot/} on the classpath: each with its type, a
 * strong ETag from its SHA-256, and its gzip form when that is smaller (text files). {@link
 * #version} is a digest of every file under {@code console/}: the pages load their assets under
 * {@code /console/v/<version>/}, which may be cached for good, since a change to any file changes
 * it.
 */
final class ConsoleAssets {
  static final String ROOT = "webroot/";

  /** Extensions of text files, compressed and sent with {@code charset=utf-8}. */
  private static final java.util.Set<String> TEXT =
      java.util.Set.of("html", "js", "mjs", "css", "txt", "svg", "json", "webmanifest", "map");

  /** One file as served. */
  record Asset(String type, Buffer body, Buffer gzip, String etag) {
    boolean isText() {
      return gzip != null;
    }
  }

  private static final ConsoleAssets INSTANCE = new ConsoleAssets();

  /** Path under {@code webroot/} → the file. */
  private final Map<String, Asset> files;

  private final String version;

  private ConsoleAssets() {
    Map<String, Asset> read = new TreeMap<>();
    MessageDigest all = sha256();
    for (String name : list()) {
      if (name.startsWith(".") || name.contains("/.")) {
        continue; // hidden files (e.g. a .gitattributes beside vendored code) are not served
      }
      byte[] bytes = readBytes(ROOT + name);
      read.put(name, asset(name, bytes));
      if (name.startsWith("console/")) {
        all.update(name.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        all.update(sha256().digest(bytes));
      }
    }
    this.files = Collections.unmodifiableMap(read);
    this.version = hex(all.digest()).substring(0, 16);
  }

  static ConsoleAssets get() {
    return INSTANCE;
  }

  /** The digest of every console file, part of the long-cached asset URLs. */
  String version() {
    return version;
  }

  /** The file at {@code name} under {@code webroot/} (e.g. {@code console/js/x.js}), or null. */
  Asset file(String name) {
    return files.get(name);
  }

  /** An asset made of {@code bytes} served as {@code name} (a page rewritten, the manifest). */
  static Asset asset(String name, byte[] bytes) {
    String ext = name.substring(name.lastIndexOf('.') + 1);
    String type =
        switch (ext) {
          case "webmanifest" -> "application/manifest+json";
          case "js", "mjs" -> "text/javascript";
          default -> {
            String known = MimeMapping.mimeTypeForExtension(ext);
            yield known == null ? "application/octet-stream" : known;
          }
        };
    boolean text = TEXT.contains(ext);
    byte[] gz = text ? gzip(bytes) : null;
    return new Asset(
        text ? type + "; charset=utf-8" : type,
        Buffer.buffer(bytes),
        gz != null && gz.length < bytes.length ? Buffer.buffer(gz) : null,
        "\""
            + Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(sha256().digest(bytes))
                .substring(0, 22)
            + "\"");
  }

  /** The files under {@code webroot/}, from a directory (tests, IDE) or from the jar. */
  private static java.util.List<String> list() {
    URL root = ConsoleAssets.class.getClassLoader().getResource(ROOT + "console");
    if (root == null) {
      throw new IllegalStateException("missing console resources " + ROOT);
    }
    try {
      if ("jar".equals(root.getProtocol())) {
        JarURLConnection c = (JarURLConnection) root.openConnection();
        c.setUseCaches(false);
        try (JarFile jar = c.getJarFile()) {
          return jar.stream()
              .filter(e -> !e.isDirectory() && e.getName().startsWith(ROOT))
              .map(e -> e.getName().substring(ROOT.length()))
              .sorted()
              .toList();
        }
      }
      Path dir = Paths.get(root.toURI()).getParent();
      try (Stream<Path> walk = Files.walk(dir)) {
        return walk.filter(Files::isRegularFile)
            .map(p -> dir.relativize(p).toString().replace('\\', '/'))
            .sorted()
            .toList();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static byte[] readBytes(String resource) {
    try (InputStream in = ConsoleAssets.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing console resource " + resource);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] gzip(byte[] bytes) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length / 3 + 64);
    try (GZIPOutputStream gz =
        new GZIPOutputStream(out) {
          {
            def.setLevel(Deflater.BEST_COMPRESSION);
          }
        }) {
      gz.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String hex(byte[] bytes) {
    return java.util.HexFormat.of().formatHex(bytes);
  }
}
