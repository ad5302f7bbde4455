package org.pentecost.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.TestServer;

/**
 * The console's files as a real HTTP client sees them: gzip for text, long caching under the
 * versioned asset path, a 304 for an unchanged page or asset by its ETag; the web app manifest and
 * its icons.
 */
class ConsoleCachingIT {
  @TempDir static Path dir;
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start(dir, Map.of());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static HttpResponse<byte[]> get(String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.baseUrl() + path));
    if (headers.length > 0) {
      b.headers(headers);
    }
    try {
      return server.httpClient().send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(path, e);
    }
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }

  private static String gunzip(byte[] body) throws IOException {
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** The versioned path of {@code file} as the speaker page links it. */
  private static String versioned(String file) {
    String page = new String(get("/speak").body(), StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("\"(/console/v/[0-9a-f]{16}/)").matcher(page);
    assertThat(m.find()).as("a versioned asset in the page").isTrue();
    return m.group(1) + file;
  }

  @Test
  void textIsGzippedForClientsThatAcceptIt() throws IOException {
    HttpResponse<byte[]> plain = get("/console/js/protocol.js");
    HttpResponse<byte[]> gz = get("/console/js/protocol.js", "Accept-Encoding", "gzip, br");
    assertThat(header(plain, "Content-Encoding")).isNull();
    assertThat(header(gz, "Content-Encoding")).isEqualTo("gzip");
    assertThat(header(gz, "Vary")).isEqualTo("Accept-Encoding");
    assertThat(header(gz, "Content-Type")).startsWith("text/javascript");
    assertThat(gz.body().length).isLessThan(plain.body().length / 2);
    assertThat(gunzip(gz.body())).isEqualTo(new String(plain.body(), StandardCharsets.UTF_8));
    assertThat(
            header(
                get("/console/js/protocol.js", "Accept-Encoding", "gzip;q=0"), "Content-Encoding"))
        .isNull();

    HttpResponse<byte[]> page = get("/listen", "Accept-Encoding", "gzip");
    assertThat(header(page, "Content-Encoding")).isEqualTo("gzip");
    assertThat(gunzip(page.body())).startsWith("<!doctype html>");
    // images are not compressed again
    HttpResponse<byte[]> png = get("/console/icons/icon-192.png", "Accept-Encoding", "gzip");
    assertThat(header(png, "Content-Encoding")).isNull();
    assertThat(header(png, "Content-Type")).isEqualTo("image/png");
  }

  @Test
  void versionedAssetsAreImmutableAndPlainOnesRevalidated() {
    HttpResponse<byte[]> versioned = get(versioned("js/speaker.js"));
    assertThat(versioned.statusCode()).isEqualTo(200);
    assertThat(header(versioned, "Cache-Control")).isEqualTo("public, max-age=31536000, immutable");
    HttpResponse<byte[]> plain = get("/console/js/speaker.js");
    assertThat(header(plain, "Cache-Control")).isEqualTo("no-cache");
    assertThat(versioned.body()).isEqualTo(plain.body());
    assertThat(header(versioned, "ETag")).isEqualTo(header(plain, "ETag")).matches("\"[^\"]+\"");
    // a page of another version gets today's file, revalidated, not kept for good
    HttpResponse<byte[]> stale = get("/console/v/0000000000000000/js/speaker.js");
    assertThat(stale.statusCode()).isEqualTo(200);
    assertThat(header(stale, "Cache-Control")).isEqualTo("no-cache");
    assertThat(get("/console/v/" + "0".repeat(16) + "/js/nope.js").statusCode()).isEqualTo(404);
    assertThat(get("/console/vendor/.gitattributes").statusCode())
        .as("hidden files are not served")
        .isEqualTo(404);
  }

  @Test
  void anUnchangedPageOrAssetIsA304ByItsETag() {
    for (String path :
        new String[] {"/speak", "/listen/blessed-shepherd-427", "/console/css/console.css"}) {
      for (String encoding : new String[] {"identity", "gzip"}) {
        HttpResponse<byte[]> first = get(path, "Accept-Encoding", encoding);
        String etag = header(first, "ETag");
        assertThat(etag).as(path).isNotBlank();
        HttpResponse<byte[]> again = get(path, "Accept-Encoding", encoding, "If-None-Match", etag);
        assertThat(again.statusCode()).as(path).isEqualTo(304);
        assertThat(again.body()).as(path).isEmpty();
        assertThat(header(again, "ETag")).as(path).isEqualTo(etag);
        assertThat(get(path, "If-None-Match", "\"something-else\"").statusCode())
            .as(path)
            .isEqualTo(200);
      }
    }
    assertThat(header(get("/speak"), "Cache-Control")).isEqualTo("no-cache");
  }

  @Test
  void theWebAppManifestAndItsIconsAreServed() throws IOException {
    HttpResponse<byte[]> r = get("/manifest.webmanifest");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(header(r, "Content-Type")).startsWith("application/manifest+json");
    JsonNode m = new ObjectMapper().readTree(r.body());
    assertThat(m.get("name").asText()).contains("Pentecost");
    assertThat(m.get("short_name").asText()).isEqualTo("Pentecost");
    assertThat(m.get("start_url").asText()).isEqualTo("/listen");
    assertThat(m.get("display").asText()).isEqualTo("standalone");
    assertThat(m.get("theme_color").asText()).matches("#[0-9a-f]{6}");
    Map<String, String> sizes = new java.util.HashMap<>();
    for (JsonNode icon : m.get("icons")) {
      sizes.put(icon.get("sizes").asText(), icon.get("type").asText());
      HttpResponse<byte[]> file = get(icon.get("src").asText());
      assertThat(file.statusCode()).as(icon.toString()).isEqualTo(200);
      assertThat(header(file, "Content-Type")).startsWith(icon.get("type").asText());
      if (icon.get("type").asText().equals("image/png")) {
        int side = Integer.parseInt(icon.get("sizes").asText().split("x")[0]);
        byte[] png = file.body();
        assertThat(java.nio.ByteBuffer.wrap(png, 16, 8).getInt()).isEqualTo(side);
        assertThat(java.nio.ByteBuffer.wrap(png, 20, 4).getInt()).isEqualTo(side);
      }
    }
    assertThat(sizes)
        .containsEntry("192x192", "image/png")
        .containsEntry("512x512", "image/png")
        .containsEntry("any", "image/svg+xml");
    for (String page : new String[] {"/", "/listen", "/speak"}) {
      String html = new String(get(page).body(), StandardCharsets.UTF_8);
      assertThat(html)
          .as(page)
          .contains("<link rel=\"manifest\" href=\"/manifest.webmanifest\">")
          .containsPattern(
              "<link rel=\"apple-touch-icon\" href=\"/console/v/[0-9a-f]{16}/icons/apple-touch-icon.png\">");
    }
    assertThat(get("/console/icons/apple-touch-icon.png").statusCode()).isEqualTo(200);
  }
}
