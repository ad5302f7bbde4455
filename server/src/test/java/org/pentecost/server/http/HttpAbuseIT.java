package org.pentecost.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.RawSocket;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * What a client can do to a node over plain HTTP before any route runs: smuggle a request behind an
 * ambiguous length, send request lines and headers over the limits, hold connections open without
 * finishing a request (Slowloris), from one IP by the thousand.
 */
class HttpAbuseIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dir;
  @TempDir static Path quickDir;

  /** Default time-outs and caps. */
  static TestServer server;

  /** One-second request and keep-alive time-outs. */
  static TestServer quick;

  @BeforeAll
  static void start() {
    server = TestServer.start(dir, Map.of("limits.sessionCreatesPerHour", "1000"));
    quick =
        TestServer.start(
            quickDir, Map.of("server.requestTimeout", "1s", "server.keepAliveTimeout", "1s"));
  }

  @AfterAll
  static void stop() {
    server.close();
    quick.close();
  }

  /** Sends {@code request} as it is and returns everything the server answers before closing. */
  private static String exchange(TestServer node, String request) throws IOException {
    try (RawSocket s = RawSocket.connect(node.port())) {
      s.write(request);
      return s.readAll(Duration.ofSeconds(5));
    }
  }

  private static String jsonBody(String response) throws IOException {
    String body = response.substring(response.indexOf("\r\n\r\n") + 4);
    return JSON.readTree(body).get("code").asText();
  }

  private static int statusLines(String response) {
    return response.split("HTTP/1\\.[01] ", -1).length - 1;
  }

  @Test
  void contentLengthWithTransferEncodingIsRefusedAndNothingBehindItIsAnswered() throws IOException {
    String smuggled =
        "POST /sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            + "Content-Length: 44\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "0\r\n\r\n"
            + "GET /health HTTP/1.1\r\nHost: x\r\n\r\n";
    String response = exchange(server, smuggled);
    assertThat(response).matches("(?s)HTTP/1\\.[01] 400.*");
    assertThat(response).containsIgnoringCase("connection: close");
    assertThat(jsonBody(response)).isEqualTo("INVALID_REQUEST");
    assertThat(statusLines(response)).as(response).isEqualTo(1);
  }

  @Test
  void oversizedRequestLinesAndHeadersGetJsonErrors() throws IOException {
    String longLine = exchange(server, "GET /sessions/" + "x".repeat(9000) + " HTTP/1.1\r\n\r\n");
    assertThat(longLine).matches("(?s)HTTP/1\\.[01] 414.*");
    assertThat(jsonBody(longLine)).isEqualTo("URI_TOO_LONG");
    String bigHeaders =
        exchange(
            server, "GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "y".repeat(20_000) + "\r\n\r\n");
    assertThat(bigHeaders).matches("(?s)HTTP/1\\.[01] 431.*");
    assertThat(jsonBody(bigHeaders)).isEqualTo("HEADERS_TOO_LARGE");
    String garbage = exchange(server, "GARBAGE\r\n\r\n");
    assertThat(garbage).matches("(?s)HTTP/1\\.[01] 400.*");
    assertThat(jsonBody(garbage)).isEqualTo("INVALID_REQUEST");
  }

  @Test
  void aRequestThatNeverFinishesIsAnswered408AndClosed() throws IOException {
    try (RawSocket s = RawSocket.connect(quick.port())) {
      s.write("GET /health HTTP/1.1\r\nHost: x\r\n"); // and never the blank line
      String response = s.readAll(Duration.ofSeconds(5));
      assertThat(response).startsWith("HTTP/1.1 408");
      assertThat(jsonBody(response)).isEqualTo("REQUEST_TIMEOUT");
    }
    try (RawSocket s = RawSocket.connect(quick.port())) {
      s.write("GET /ws?sessionId=x HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\n");
      assertThat(s.closedByServer(Duration.ofSeconds(5))).isTrue();
    }
    try (RawSocket s = RawSocket.connect(quick.port())) {
      assertThat(s.closedByServer(Duration.ofSeconds(5))).isTrue(); // sends nothing at all
    }
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedAndABusyOneIsNot() throws IOException {
    try (RawSocket s = RawSocket.connect(quick.port())) {
      for (int i = 0; i < 3; i++) {
        s.write("GET /languages HTTP/1.1\r\nHost: x\r\n\r\n");
        assertThat(s.readHead()).startsWith("HTTP/1.1 200");
        s.readAll(Duration.ofMillis(400)); // the body; less than the keep-alive time-out
      }
      assertThat(s.closedByServer(Duration.ofSeconds(5))).isTrue();
    }
  }

  @Test
  void aListenerGetsInWhileAnotherIpHoldsTenThousandHalfOpenConnections() throws Exception {
    String id = server.createSession(server.token("alice"), "en");
    InetAddress attacker = InetAddress.getByName("127.0.0.2");
    List<RawSocket> held = new ArrayList<>();
    try {
      for (int i = 0; i < 10_000; i++) {
        held.add(RawSocket.connect(server.port(), attacker, 0));
      }
      long start = System.nanoTime();
      assertThat(server.get("/health").status()).isEqualTo(200);
      try (WsClient listener = WsClient.connect(server, "sessionId=" + id + "&targetLanguage=es")) {
        assertThat(listener.next().get("type").asText()).isEqualTo("sessionJoined");
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
      String metrics = server.get("/metrics").body();
      assertThat(metrics).contains("pentecost_http_pending_refused_total");
      double refused =
          metrics
              .lines()
              .filter(l -> l.startsWith("pentecost_http_pending_refused_total"))
              .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
              .sum();
      assertThat(refused).isGreaterThanOrEqualTo(10_000 - 64);
    } finally {
      held.forEach(RawSocket::close);
    }
  }
}
