package org.pentecost.server.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.pentecost.server.broadcast.AudioFormat;
import org.pentecost.server.cluster.NodeEventCodec.Received;
import org.pentecost.server.cluster.NodeEventCodec.UnreadableEvent;
import org.pentecost.server.session.SessionStatus;

class NodeEventCodecTest {
  private static final String S = "blessed-shepherd-427";
  private static final AudioFormat OPUS = new AudioFormat("opus", 48_000, 2, 20);

  /** One of each event, with the JSON the previous (JsonObject) format carried for it. */
  private static final Map<NodeEvent, String> WIRE =
      Map.ofEntries(
          Map.entry(
              new NodeEvent.StreamStarted(S, "fr", OPUS, false),
              "{'type':'stream','state':'started','sessionId':'S','language':'fr',"
                  + "'audio':{'codec':'opus','sampleRate':48000,'channels':2,'frameMs':20}}"),
          Map.entry(
              new NodeEvent.StreamStarted(S, "en", AudioFormat.DEFAULT, true),
              "{'type':'stream','state':'started','resync':true,'sessionId':'S','language':'en',"
                  + "'audio':{'codec':'pcm16','sampleRate':16000,'channels':1,'frameMs':20}}"),
          Map.entry(
              new NodeEvent.StreamStopped(S, "fr"),
              "{'type':'stream','state':'stopped','sessionId':'S','language':'fr'}"),
          Map.entry(
              new NodeEvent.SpeakerJoined(S, false),
              "{'type':'speaker','state':'joined','sessionId':'S'}"),
          Map.entry(
              new NodeEvent.SpeakerJoined(S, true),
              "{'type':'speaker','state':'joined','sessionId':'S','resync':true}"),
          Map.entry(
              new NodeEvent.SpeakerDropped(S, 30_000),
              "{'type':'speaker','state':'dropped','sessionId':'S','gracePeriodMs':30000}"),
          Map.entry(
              new NodeEvent.SpeakerLeft(S), "{'type':'speaker','state':'left','sessionId':'S'}"),
          Map.entry(
              new NodeEvent.StatusChanged(S, SessionStatus.PAUSED),
              "{'type':'status','sessionId':'S','status':'paused'}"),
          Map.entry(new NodeEvent.SyncRequest(S), "{'type':'sync','sessionId':'S'}"),
          Map.entry(
              new NodeEvent.RetireConnection(S, "c0nn3ct10n", 5_000),
              "{'type':'retire','sessionId':'S','connectionId':'c0nn3ct10n','overlapMs':5000}"),
          Map.entry(
              new NodeEvent.ToConnection(
                  "c0nn3ct10n", new JsonObject().put("type", "notice").put("text", "hello")),
              "{'type':'direct','sessionId':'','connectionId':'c0nn3ct10n',"
                  + "'message':{'type':'notice','text':'hello'}}"),
          Map.entry(
              new NodeEvent.Caption(
                  S,
                  "de",
                  new JsonObject()
                      .put("type", "caption")
                      .put("language", "de")
                      .put("text", "Guten Tag")
                      .put("final", true)),
              "{'type':'caption','sessionId':'S','language':'de','caption':"
                  + "{'type':'caption','language':'de','text':'Guten Tag','final':true}}"),
          Map.entry(
              new NodeEvent.Manage(
                  "r-1",
                  NodeEvent.ManageOp.POST,
                  "c0nn3ct10n",
                  new JsonObject().put("text", "progress: 50%")),
              "{'type':'manage','sessionId':'','requestId':'r-1','op':'post',"
                  + "'target':'c0nn3ct10n','args':{'text':'progress: 50%'}}"),
          Map.entry(
              new NodeEvent.Manage(
                  "r-2",
                  NodeEvent.ManageOp.BROADCAST,
                  S,
                  new JsonObject().put("text", "hi").put("language", "es")),
              "{'type':'manage','sessionId':'','requestId':'r-2','op':'broadcast',"
                  + "'target':'S','args':{'text':'hi','language':'es'}}"),
          Map.entry(
              new NodeEvent.ManageReply(
                  "r-2", "web-1", new JsonObject().put("delivered", 3).put("dropped", 1)),
              "{'type':'manageReply','sessionId':'','requestId':'r-2','to':'web-1',"
                  + "'result':{'delivered':3,'dropped':1}}"));

  /** One event of each type (and both kinds of repeat). */
  static List<NodeEvent> samples() {
    return List.copyOf(WIRE.keySet());
  }

  private static JsonObject wire(String singleQuoted, String node) {
    return new JsonObject(singleQuoted.replace('\'', '"').replace("\"S\"", "\"" + S + "\""))
        .put("node", node);
  }

  @Test
  void theSamplesCoverEveryEventType() {
    assertThat(WIRE.keySet().stream().map(Object::getClass).collect(Collectors.toSet()))
        .containsExactlyInAnyOrderElementsOf(
            Arrays.asList(NodeEvent.class.getPermittedSubclasses()));
  }

  @Test
  void everyEventRoundTripsWithItsNode() {
    WIRE.keySet()
        .forEach(
            event ->
                assertThat(NodeEventCodec.decode(NodeEventCodec.encode("web-1-3fa9", event)))
                    .isEqualTo(new Received("web-1-3fa9", event)));
  }

  @Test
  void theWireFormatIsTheOneNodesExchangedBefore() {
    WIRE.forEach(
        (event, json) -> {
          assertThat(new JsonObject(NodeEventCodec.encode("web-2", event)))
              .as("%s", event)
              .isEqualTo(wire(json, "web-2"));
          assertThat(NodeEventCodec.decode(wire(json, "web-2").encode()))
              .isEqualTo(new Received("web-2", event));
        });
  }

  @Test
  void aMissingResyncMeansNone() {
    Received r =
        NodeEventCodec.decode(
            "{\"type\":\"speaker\",\"state\":\"joined\",\"sessionId\":\"x\",\"node\":\"n\"}");
    assertThat(r.event()).isEqualTo(new NodeEvent.SpeakerJoined("x", false));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "not json",
        "[]",
        "null",
        "42",
        "{\"type\":\"sync\",\"sessionId\":\"x\"", // truncated
        "{}",
        "{\"type\":\"sync\",\"sessionId\":\"x\"}", // no node
        "{\"type\":\"sync\",\"sessionId\":\"x\",\"node\":7}",
        "{\"sessionId\":\"x\",\"node\":\"n\"}", // no type
        "{\"type\":\"gossip\",\"sessionId\":\"x\",\"node\":\"n\"}",
        "{\"type\":\"sync\",\"node\":\"n\"}", // no session
        "{\"type\":\"sync\",\"sessionId\":null,\"node\":\"n\"}",
        "{\"type\":\"sync\",\"sessionId\":12,\"node\":\"n\"}",
        "{\"type\":\"stream\",\"state\":\"paused\",\"sessionId\":\"x\",\"language\":\"en\","
            + "\"node\":\"n\"}",
        "{\"type\":\"stream\",\"state\":\"started\",\"sessionId\":\"x\",\"language\":\"en\","
            + "\"node\":\"n\"}", // no audio
        "{\"type\":\"stream\",\"state\":\"started\",\"sessionId\":\"x\",\"language\":\"en\","
            + "\"audio\":{\"sampleRate\":\"fast\"},\"node\":\"n\"}",
        "{\"type\":\"stream\",\"state\":\"stopped\",\"sessionId\":\"x\",\"node\":\"n\"}",
        "{\"type\":\"speaker\",\"sessionId\":\"x\",\"node\":\"n\"}", // no state
        "{\"type\":\"speaker\",\"state\":\"joined\",\"resync\":\"yes\",\"sessionId\":\"x\","
            + "\"node\":\"n\"}",
        "{\"type\":\"speaker\",\"state\":\"dropped\",\"sessionId\":\"x\",\"node\":\"n\"}",
        "{\"type\":\"speaker\",\"state\":\"dropped\",\"gracePeriodMs\":\"30s\",\"sessionId\":\"x\","
            + "\"node\":\"n\"}",
        "{\"type\":\"status\",\"sessionId\":\"x\",\"status\":\"deleted\",\"node\":\"n\"}",
        "{\"type\":\"retire\",\"sessionId\":\"x\",\"connectionId\":\"c\",\"overlapMs\":1.5,"
            + "\"node\":\"n\"}",
        "{\"type\":\"retire\",\"sessionId\":\"x\",\"overlapMs\":1,\"node\":\"n\"}",
        "{\"type\":\"direct\",\"sessionId\":\"\",\"connectionId\":\"c\",\"message\":[],"
            + "\"node\":\"n\"}",
        "{\"type\":\"caption\",\"sessionId\":\"x\",\"language\":\"de\",\"caption\":\"hi\","
            + "\"node\":\"n\"}",
        "{\"type\":\"manage\",\"sessionId\":\"\",\"requestId\":\"r\",\"op\":\"explode\","
            + "\"target\":\"c\",\"args\":{},\"node\":\"n\"}",
        "{\"type\":\"manage\",\"sessionId\":\"\",\"requestId\":\"r\",\"op\":\"post\","
            + "\"target\":\"c\",\"node\":\"n\"}", // no args
        "{\"type\":\"manage\",\"sessionId\":\"\",\"op\":\"info\",\"target\":\"c\","
            + "\"args\":{},\"node\":\"n\"}", // no request id
        "{\"type\":\"manageReply\",\"sessionId\":\"\",\"requestId\":\"r\",\"result\":{},"
            + "\"node\":\"n\"}", // no addressee
        "{\"type\":\"manageReply\",\"sessionId\":\"\",\"requestId\":\"r\",\"to\":\"a\","
            + "\"result\":true,\"node\":\"n\"}",
      })
  void anythingElseIsRefusedAsUnreadable(String text) {
    assertThatThrownBy(() -> NodeEventCodec.decode(text)).isInstanceOf(UnreadableEvent.class);
  }

  @Test
  void aRefusalQuotesOnlyAnExcerptOfWhatItRead() {
    String huge = "{\"type\":\"gossip\",\"padding\":\"" + "x".repeat(100_000) + "\"}";
    assertThatThrownBy(() -> NodeEventCodec.decode(huge))
        .isInstanceOf(UnreadableEvent.class)
        .hasMessageContaining("{\"type\":\"gossip\"")
        .hasMessageContaining("characters)")
        .message()
        .hasSizeLessThan(200);
    assertThatThrownBy(() -> NodeEventCodec.decode(null)).isInstanceOf(UnreadableEvent.class);
  }

  @Test
  void eventsRefuseMissingParts() {
    List<Runnable> broken =
        List.of(
            () -> new NodeEvent.StreamStarted(S, "en", null, false),
            () -> new NodeEvent.StreamStopped(null, "en"),
            () -> new NodeEvent.ToConnection("c", null),
            () -> new NodeEvent.StatusChanged(S, null));
    broken.forEach(b -> assertThatThrownBy(b::run).isInstanceOf(NullPointerException.class));
  }
}
