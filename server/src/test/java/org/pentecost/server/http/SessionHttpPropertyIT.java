package org.pentecost.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.server.testing.FuzzArbitraries;
import org.pentecost.server.testing.TempDirs;
import org.pentecost.server.testing.TestServer;

/**
 * {@code POST /sessions} and {@code PATCH /sessions/{id}} of a real server, with any bytes as the
 * body and any text as the id: a success, or a 4xx error body {@code {"error","code","timestamp"}}
 * whose code is one docs/http-api.md lists for the endpoint, with the status of that code and a
 * short message. Never a 5xx, never a hang (each request has 10 s).
 */
class SessionHttpPropertyIT {
  private static final List<String> FIELDS = List.of("sourceLanguage", "qualityTier", "status");
  private static final List<String> GOOD_VALUES =
      List.of("en", "ES", " fr ", "xx", "standard", "premium", "active", "paused", "ended");
  private static final Set<ErrorCode> CREATE_CODES =
      Set.of(
          ErrorCode.MALFORMED_JSON,
          ErrorCode.INVALID_REQUEST,
          ErrorCode.UNSUPPORTED_LANGUAGE,
          ErrorCode.INVALID_QUALITY_TIER,
          ErrorCode.PAYLOAD_TOO_LARGE);
  private static final Set<ErrorCode> PATCH_CODES =
      Set.of(
          ErrorCode.MALFORMED_JSON,
          ErrorCode.INVALID_REQUEST,
          ErrorCode.UNSUPPORTED_LANGUAGE,
          ErrorCode.INVALID_QUALITY_TIER,
          ErrorCode.PAYLOAD_TOO_LARGE,
          ErrorCode.INVALID_TRANSITION,
          ErrorCode.CONFLICT);
  private static final Set<ErrorCode> ID_CODES =
      Set.of(
          ErrorCode.SESSION_NOT_FOUND,
          ErrorCode.NOT_FOUND,
          ErrorCode.INVALID_REQUEST,
          ErrorCode.PAYLOAD_TOO_LARGE,
          // "." and ".." are resolved away: /sessions/. is /sessions (GET and POST only)
          ErrorCode.METHOD_NOT_ALLOWED);

  /** Vert.x's default HTTP request line limit (HttpServerOptions.maxInitialLineLength). */
  private static final int MAX_REQUEST_LINE = 4096;

  private static Path dir;
  private static TestServer server;
  private static String alice;

  @BeforeContainer
  static void start() {
    dir = TempDirs.create("http-fuzz");
    server = TestServer.start(dir, Map.of("limits.sessionCreatesPerHour", "1000000"));
    alice = server.token("alice");
  }

  @AfterContainer
  static void stop() {
    server.close();
    TempDirs.delete(dir);
  }

  @Property
  void anyCreateBodyIsCreatedOrADocumented4xx(@ForAll("bodies") byte[] body) {
    TestServer.Response r = server.sendBytes("POST", "/sessions", alice, body);
    if (r.status() == 201) {
      assertThat(r.json().path("sessionId").asText()).isNotEmpty();
      return;
    }
    assertDocumentedError(r, CREATE_CODES);
  }

  @Property
  void anyPatchBodyChangesTheSessionOrIsADocumented4xx(@ForAll("bodies") byte[] body) {
    String id = server.createSession(alice, "en");
    TestServer.Response r = server.sendBytes("PATCH", "/sessions/" + id, alice, body);
    if (r.status() == 200) {
      assertThat(r.json().path("sessionId").asText()).isEqualTo(id);
      return;
    }
    assertDocumentedError(r, PATCH_CODES);
  }

  @Property
  void anyIdIsASessionOrNotFound(
      @ForAll("ids") String id, @ForAll("methods") String method, @ForAll("bodies") byte[] body) {
    String path = "/sessions/" + encodePath(id);
    // Longer request lines are answered by Vert.x itself: see aRequestLineTooLongIsAJsonError.
    Assume.that(path.length() < MAX_REQUEST_LINE - 100);
    TestServer.Response r = server.sendBytes(method, path, alice, body);
    if (r.status() < 300) {
      return; // the text happened to name a session of alice's
    }
    assertDocumentedError(r, method.equals("PATCH") ? union(ID_CODES, PATCH_CODES) : ID_CODES);
  }

  /** A request line over 4096 bytes is refused by the decoder: 414 with the JSON error. */
  @Example
  void aRequestLineTooLongIsAJsonError() {
    String path = "/sessions/" + "x".repeat(MAX_REQUEST_LINE);
    TestServer.Response r = server.sendBytes("GET", path, alice, new byte[0]);
    assertDocumentedError(r, Set.of(ErrorCode.URI_TOO_LONG));
  }

  /** A 4xx with exactly error, code and timestamp; a listed code; the code's status. */
  static void assertDocumentedError(TestServer.Response r, Set<ErrorCode> codes) {
    assertThat(r.status()).as(r.body()).isBetween(400, 499);
    JsonNode body = r.json();
    assertThat(iterable(body.fieldNames()))
        .as("%d %s %s", r.status(), r.headers(), r.body())
        .containsExactlyInAnyOrder("error", "code", "timestamp");
    ErrorCode code = ErrorCode.valueOf(body.get("code").asText());
    assertThat(code).isIn(codes);
    assertThat(r.status()).isEqualTo(code.httpStatus());
    assertThat(body.get("timestamp").isNumber()).isTrue();
    assertThat(body.get("error").asText())
        .isNotBlank()
        .hasSizeLessThanOrEqualTo(SessionRequestsPropertyTest.MAX_MESSAGE_CHARS);
  }

  private static List<String> iterable(java.util.Iterator<String> names) {
    List<String> out = new java.util.ArrayList<>();
    names.forEachRemaining(out::add);
    return out;
  }

  private static Set<ErrorCode> union(Set<ErrorCode> a, Set<ErrorCode> b) {
    return java.util.stream.Stream.concat(a.stream(), b.stream()).collect(Collectors.toSet());
  }

  /** Every byte outside the unreserved characters percent-encoded. */
  private static String encodePath(String text) {
    StringBuilder b = new StringBuilder();
    for (byte x : text.getBytes(StandardCharsets.UTF_8)) {
      char c = (char) (x & 0xff);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-') {
        b.append(c);
      } else {
        b.append(String.format("%%%02X", x & 0xff));
      }
    }
    return b.toString();
  }

  /** What a client may send, and now and then more than {@code server.maxBodyBytes} (64 KiB). */
  @Provide
  Arbitrary<byte[]> bodies() {
    Arbitrary<byte[]> tooLarge =
        Arbitraries.integers()
            .between(65_537, 90_000)
            .map(n -> ("{\"sourceLanguage\":\"" + "x".repeat(n) + "\"}").getBytes());
    return Arbitraries.frequencyOf(
        Tuple.of(30, FuzzArbitraries.bodies(FIELDS, GOOD_VALUES)), Tuple.of(1, tooLarge));
  }

  @Provide
  Arbitrary<String> ids() {
    return Arbitraries.oneOf(
        FuzzArbitraries.strings(),
        Arbitraries.of("blessed-shepherd-427", "Blessed Shepherd 427", " a_b.c-100 ", ".", ".."));
  }

  @Provide
  Arbitrary<String> methods() {
    return Arbitraries.of("GET", "PATCH", "DELETE");
  }
}
