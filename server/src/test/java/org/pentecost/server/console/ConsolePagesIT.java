package org.pentecost.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.TestServer.Response;

/** The console's pages and assets over plain HTTP: types, caching, 404s, nothing else exposed. */
class ConsolePagesIT {
  @TempDir static Path dir;
  static TestServer server;

  /** src/href attributes of pages, and static imports / worklet modules of scripts. */
  private static final Pattern REFERENCE =
      Pattern.compile(
          "(?:src|href)=\"(/console/[^\"]+)\"|from \"(\\.{1,2}/[^\"]+)\"|addModule\\(\"(/console/[^\"]+)\"\\)");

  @BeforeAll
  static void start() {
    server = TestServer.start(dir, Map.of());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void pagesAreHtmlThatBrowsersRevalidate() {
    for (String path :
        List.of(
            "/",
            "/listen",
            "/listen/",
            "/listen/blessed-shepherd-427",
            "/listen/Blessed%20Shepherd%20427",
            "/listen?code=blessed-shepherd-427",
            "/speak")) {
      Response r = server.get(path);
      assertThat(r.status()).as(path).isEqualTo(200);
      assertThat(r.header("Content-Type")).as(path).isEqualTo("text/html; charset=utf-8");
      assertThat(r.header("Cache-Control")).as(path).isEqualTo("no-cache");
      assertThat(r.header("X-Content-Type-Options")).as(path).isEqualTo("nosniff");
      assertThat(r.header("Content-Security-Policy"))
          .as(path)
          .contains("default-src 'self'", "frame-ancestors 'none'");
      assertThat(r.body()).as(path).startsWith("<!doctype html>");
    }
    assertThat(server.get("/").body()).contains("href=\"/listen\"", "href=\"/speak\"");
    assertThat(server.get("/listen/x").body())
        .containsPattern("\"/console/v/[0-9a-f]{16}/js/listener.js\"");
    assertThat(server.get("/speak").body())
        .containsPattern("\"/console/v/[0-9a-f]{16}/js/speaker.js\"");
  }

  @Test
  void headOfAPageHasNoBody() {
    Response r = server.send("HEAD", "/listen", null, null);
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
    assertThat(r.body()).isEmpty();
  }

  @Test
  void assetsHaveTheirContentTypes() {
    Map<String, String> types =
        Map.of(
            "/console/css/console.css", "text/css",
            "/console/js/listener.js", "text/javascript",
            "/console/js/speaker.js", "text/javascript",
            "/console/js/player-worklet.js", "text/javascript",
            "/console/js/capture-worklet.js", "text/javascript",
            "/console/vendor/qrcode.js", "text/javascript",
            "/console/vendor/qrcode-generator.LICENSE.txt", "text/plain");
    types.forEach(
        (path, type) -> {
          Response r = server.get(path);
          assertThat(r.status()).as(path).isEqualTo(200);
          assertThat(r.header("Content-Type")).as(path).startsWith(type);
          assertThat(r.header("Cache-Control")).as(path).isEqualTo("no-cache");
          assertThat(r.header("X-Content-Type-Options")).as(path).isEqualTo("nosniff");
          assertThat(r.header("Last-Modified")).as(path).isNotBlank();
        });
    assertThat(server.get("/console/vendor/qrcode.js").body())
        .contains("Copyright (c) 2009 Kazuhiko Arase", "MIT license");
  }

  @Test
  void anUnchangedAssetIsA304() {
    Response first = server.get("/console/js/protocol.js");
    Response again =
        server.send(
            "GET",
            "/console/js/protocol.js",
            null,
            null,
            Map.of("If-Modified-Since", first.header("Last-Modified")));
    assertThat(again.status()).isEqualTo(304);
    assertThat(again.body()).isEmpty();
  }

  @Test
  void unknownAssetsAndDirectoriesAre404WithoutListingOrEscaping() {
    for (String path :
        List.of(
            "/console/nope.js",
            "/console/js/nope.js",
            "/console/",
            "/console/js/",
            "/console/../pentecost-defaults.yaml",
            "/console/%2e%2e/listen.html",
            "/console/..%2f..%2fpentecost-defaults.yaml",
            "/console/../../logback.xml",
            "/webroot/listen.html",
            "/listen.html",
            "/listen/a/b")) {
      Response r = server.get(path);
      assertThat(r.status()).as(path).isEqualTo(404);
      assertThat(r.body()).as(path).doesNotContain("<a href", "server:", "configuration");
    }
    // A directory without its slash is redirected to the form with one, which is a 404 too.
    Response redirect = server.get("/console/vendor");
    assertThat(redirect.status()).isEqualTo(301);
    assertThat(server.get(redirect.header("Location")).status()).isEqualTo(404);
  }

  @Test
  void theApiIsUntouchedByTheConsole() {
    assertThat(server.get("/sessions/blessed-shepherd-427").code()).isEqualTo("SESSION_NOT_FOUND");
    assertThat(server.get("/languages").status()).isEqualTo(200);
    assertThat(server.send("POST", "/listen", null, "{}").status()).isEqualTo(405);
  }

  @Test
  void everyFileThePagesLoadIsServed() {
    Deque<String> todo = new ArrayDeque<>(List.of("/", "/listen", "/speak"));
    Set<String> seen = new LinkedHashSet<>();
    while (!todo.isEmpty()) {
      String path = todo.pop();
      if (!seen.add(path)) {
        continue;
      }
      Response r = server.get(path);
      assertThat(r.status()).as(path).isEqualTo(200);
      Matcher m = REFERENCE.matcher(r.body());
      while (m.find()) {
        if (m.group(1) != null) {
          todo.add(m.group(1));
        } else if (m.group(2) != null) {
          todo.add(resolve(path, m.group(2)));
        } else {
          todo.add(m.group(3));
        }
      }
    }
    assertThat(seen.stream().map(p -> p.replaceAll("^/console/v/[0-9a-f]{16}/", "/console/")))
        .contains(
            "/console/js/protocol.js",
            "/console/js/player.js",
            "/console/js/jitter.js",
            "/console/js/player-worklet.js",
            "/console/js/capture-worklet.js",
            "/console/js/downsampler.js",
            "/console/js/decoder.js",
            "/console/js/encoder.js",
            "/console/vendor/qrcode.js",
            "/console/icons/icon.svg",
            "/console/icons/apple-touch-icon.png");
  }

  private static String resolve(String from, String relative) {
    return java.net.URI.create("http://x" + from).resolve(relative).getPath();
  }
}
