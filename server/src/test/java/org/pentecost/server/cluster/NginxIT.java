package org.pentecost.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.pentecost.server.testing.AudioFrames.assertRun;
import static org.pentecost.server.testing.AudioFrames.drain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.Clients;
import org.pentecost.server.testing.NginxProcess;
import org.pentecost.server.testing.RedisTests;
import org.pentecost.server.testing.Talker;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * Two nodes behind a real nginx running the sample {@code deploy/nginx/pentecost.conf}: a speaker
 * and listeners connected through nginx hear contiguous audio; when one node drains, its clients
 * refresh through nginx (which sends the draining node's refused upgrade to the other node) and
 * resume there with no gap and no duplicate.
 */
class NginxIT {
  private static final String SECRET = "nginx-it-shared-secret-0123456789abcdefgh";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir Path dirA;
  @TempDir Path dirB;
  @TempDir Path dirNginx;

  private static Map<String, String> settings(String prefix) {
    Map<String, String> s = new HashMap<>(RedisTests.nodeSettings(RedisTests.URL, prefix));
    s.put("auth.hmacSecret", SECRET);
    s.put("server.trustedProxies", "127.0.0.1/32");
    s.put("limits.trustedNetworks", "127.0.0.0/8");
    s.put("limits.sessionCreatesPerHour", "1000");
    s.put("connections.drainTimeout", "20s");
    s.put("connections.refreshOverlap", "500ms");
    return s;
  }

  /** A client behind nginx: its query, its current connection, and every frame it kept. */
  private static final class Client {
    final String query;
    volatile WsClient ws;
    final List<long[]> heard = new ArrayList<>();

    Client(String query, WsClient ws) {
      this.query = query;
      this.ws = ws;
    }

    /** Keeps the frames received so far on the current connection; the last one's sequence. */
    long keepReceived() throws InterruptedException {
      heard.addAll(drain(ws, Duration.ZERO));
      return heard.isEmpty() ? 0 : heard.get(heard.size() - 1)[0];
    }

    void keepUntilQuiet(Duration quiet) throws InterruptedException {
      heard.addAll(drain(ws, quiet));
    }
  }

  private static WsClient connect(NginxProcess nginx, String query) {
    return Clients.join(nginx.port(), query);
  }

  private static HttpResponse<String> post(NginxProcess nginx, String path, String token)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(nginx.baseUrl() + path))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"sourceLanguage\":\"en\"}"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> get(NginxProcess nginx, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create(nginx.baseUrl() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void clientsBehindNginxHearEveryFrameAndMoveOffADrainingNodeWithoutAGap() throws Exception {
    RedisTests.requireRedis();
    String prefix = RedisTests.randomPrefix();
    TestServer a = TestServer.start(dirA, settings(prefix));
    TestServer b = TestServer.start(dirB, settings(prefix));
    CompletableFuture<Void> aStopped = null;
    List<Client> listeners = new ArrayList<>();
    Client speaker = null;
    try (NginxProcess nginx = NginxProcess.start(dirNginx, List.of(a.port(), b.port()))) {
      assertThat(get(nginx, "/health").statusCode()).as(nginx.log()).isEqualTo(200);
      String alice = a.token("alice");
      HttpResponse<String> created = post(nginx, "/sessions", alice);
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      String id = JSON.readTree(created.body()).get("sessionId").asText();

      String speakerQuery = "sessionId=" + id + "&role=speaker&token=" + alice;
      speaker = new Client(speakerQuery, connect(nginx, speakerQuery));
      String listenerQuery = "sessionId=" + id + "&targetLanguage=en";
      for (int i = 0; i < 4; i++) {
        listeners.add(new Client(listenerQuery, connect(nginx, listenerQuery)));
      }
      // nginx spreads the listeners over both nodes: each node subscribes to the stream once
      String channel = RedisTests.audioChannel(prefix, id, "en");
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> RedisTests.subscribers(RedisTests.URL, channel) == 2);
      assertThat(b.listenerCount(id)).isEqualTo(4);

      // The speaker talks, one frame every 10 ms, while node a drains. A speaker moving holds
      // the microphone (the lock) until its new connection has joined.
      int total = 500;
      ReentrantLock microphone = new ReentrantLock();
      Client talking = speaker;
      Talker sender = Talker.start(() -> talking.ws, total, microphone);
      await().atMost(Duration.ofSeconds(10)).until(() -> sender.sent() >= 50);

      aStopped = CompletableFuture.runAsync(a::stop);
      // Whoever node a asks to refresh opens a new connection through nginx (which passes a's
      // refused upgrade on to b), then closes its old one.
      List<Client> everyone = new ArrayList<>(listeners);
      everyone.add(speaker);
      // Each is told at once; under load a message may take a moment, so keep looking until
      // node a has stopped (it stops as soon as its last client has gone).
      List<Client> moved = new ArrayList<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
      while (!aStopped.isDone() && System.nanoTime() < deadline) {
        for (Client c : everyone) {
          JsonNode refresh =
              moved.contains(c)
                  ? null
                  : c.ws.seen().stream()
                      .filter(m -> m.path("type").asText().equals("connectionRefreshRequired"))
                      .findFirst()
                      .orElse(null);
          if (refresh == null) {
            continue;
          }
          moved.add(c);
          assertThat(refresh.get("closesInMs").asLong()).isEqualTo(20_000);
          String query = c.query + "&" + refresh.get("refreshQuery").asText();
          WsClient old = c.ws;
          if (c == speaker) {
            microphone.lock();
            try {
              Thread.sleep(200); // frames sent on the old connection reach Redis first
              c.ws = connect(nginx, query);
            } finally {
              microphone.unlock();
            }
          } else {
            long lastSeq = c.keepReceived();
            c.ws = connect(nginx, query + "&lastSeq=" + lastSeq);
          }
          // on another node the new connection is a new join: no connectionRefreshComplete
          old.closeNormally();
        }
        Thread.sleep(50);
      }
      assertThat(moved).as("nginx gave node a some of the clients").isNotEmpty();
      assertThat(moved.size()).as("and node b the others").isLessThan(everyone.size());

      // Its clients gone, node a stops long before the drain timeout; nginx now sends all to b.
      aStopped.get(1, TimeUnit.SECONDS);
      assertThat(get(nginx, "/health").statusCode()).isEqualTo(200);
      sender.join(30_000);
      assertThat(sender.failed()).as("the speaker kept talking").isFalse();
      for (int i = 0; i < listeners.size(); i++) {
        Client l = listeners.get(i);
        l.keepUntilQuiet(Duration.ofSeconds(2));
        assertRun("listener " + i + " (moved: " + moved.contains(l) + ")", l.heard, 1, total);
        assertThat(l.ws.hasSeen("continuityLost")).isFalse();
        assertThat(l.ws.hasSeen("streamStopped")).isFalse();
      }
      assertThat(b.listenerCount(id)).isEqualTo(4);
    } finally {
      for (Client c : listeners) {
        c.ws.close();
      }
      if (speaker != null) {
        speaker.ws.close();
      }
      if (aStopped == null) {
        a.close();
      }
      b.close();
      RedisTests.deleteKeys(RedisTests.URL, prefix);
    }
  }
}
