package org.pentecost.server.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.client.Connection;
import org.pentecost.client.Listener;
import org.pentecost.client.PentecostClient;
import org.pentecost.protocol.AudioFrame;
import org.pentecost.server.testing.TestServer;

/**
 * A whole broadcast through the project's Java client: a speaker, a translation worker, listeners
 * in three languages, captions, and refreshes in the middle of the stream.
 */
class ClientAudioIT {
  @TempDir Path dir;
  TestServer server;
  Vertx vertx;

  @BeforeEach
  void start() {
    server =
        TestServer.start(
            dir,
            Map.of(
                "limits.trustedNetworks", "127.0.0.0/8",
                "connections.refreshOverlap", "2s"));
    vertx = Vertx.vertx();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    server.close();
  }

  /** What one listener heard. */
  static final class Ear implements Listener {
    final List<Long> seqs = new CopyOnWriteArrayList<>();
    final List<String> languages = new CopyOnWriteArrayList<>();
    final List<String> captions = new CopyOnWriteArrayList<>();

    @Override
    public void onAudio(AudioFrame.Header header, Buffer payload) {
      seqs.add(header.sequence());
      languages.add(header.language());
    }

    @Override
    public void onMessage(JsonObject message) {
      if ("caption".equals(message.getString("type"))) {
        captions.add(message.getString("text"));
      }
    }

    /** Sequence numbers one by one from the first it heard, none twice. */
    void assertContiguous() {
      for (int i = 1; i < seqs.size(); i++) {
        assertThat(seqs.get(i)).as("frame %d of %s", i, seqs).isEqualTo(seqs.get(i - 1) + 1);
      }
    }
  }

  <T> T join(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aBroadcastInThreeLanguagesWithRefreshesMidStream() throws Exception {
    String token = server.token("pastor");
    String id = server.createSession(token, "en");
    URI base = URI.create(server.baseUrl());

    List<Ear> en = new ArrayList<>();
    List<Ear> es = new ArrayList<>();
    List<Connection> enConnections = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      Ear ear = new Ear();
      en.add(ear);
      enConnections.add(
          join(PentecostClient.listener(vertx, base, id, "en").listener(ear).connect()));
      Ear spanish = new Ear();
      es.add(spanish);
      join(PentecostClient.listener(vertx, base, id, "es").listener(spanish).connect());
    }

    Connection speaker = join(PentecostClient.speaker(vertx, base, id, token).connect());
    // The worker "translates" by publishing one frame for every source frame it hears.
    Connection[] worker = new Connection[1];
    worker[0] =
        join(
            PentecostClient.worker(vertx, base, id, token, "es")
                .listener(
                    new Listener() {
                      @Override
                      public void onAudio(AudioFrame.Header header, Buffer payload) {
                        worker[0].sendAudio(payload);
                      }
                    })
                .connect());
    join(
        worker[0].send(
            new JsonObject().put("action", "publishCaption").put("text", "bienvenidos")));
    join(speaker.send(new JsonObject().put("action", "publishCaption").put("text", "welcome")));

    for (int n = 1; n <= 150; n++) {
      join(speaker.sendAudio(Buffer.buffer(new byte[640])));
      if (n == 50) {
        // half the English listeners refresh in the middle of the stream
        for (int i = 0; i < 5; i++) {
          join(enConnections.get(i).refresh());
        }
      }
      Thread.sleep(5);
    }

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                en.stream().allMatch(e -> e.seqs.size() >= 150)
                    && es.stream().allMatch(e -> e.seqs.size() >= 150));
    for (Ear e : en) {
      assertThat(e.seqs).hasSize(150);
      assertThat(e.seqs.get(0)).isEqualTo(1);
      e.assertContiguous();
      assertThat(e.languages).containsOnly("en");
      assertThat(e.captions).containsExactly("welcome");
    }
    for (Ear e : es) {
      e.assertContiguous();
      assertThat(e.seqs).hasSize(150);
      assertThat(e.languages).containsOnly("es");
      assertThat(e.captions).containsExactly("bienvenidos");
    }
    assertThat(server.listenerCount(id)).isEqualTo(20);
  }
}
