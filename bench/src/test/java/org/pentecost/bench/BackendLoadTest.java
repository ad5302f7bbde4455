package org.pentecost.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class BackendLoadTest {
  @Test
  void readsANumberFromAMessageAndFromAMessageQuotedInsideAnEvent() {
    String message = "{\"action\":\"progress\",\"t\":123456789}";
    String event =
        new JsonObject().put("requestContext", new JsonObject()).put("body", message).encode();
    assertThat(BackendLoad.field(event, "t\\\":")).isEqualTo(123456789L);
    String reply = "{\"type\":\"progressAck\",\"t\":-42,\"backendNs\":7}";
    assertThat(BackendLoad.field(reply, "\"t\":")).isEqualTo(-42L);
    assertThat(BackendLoad.field(reply, "\"backendNs\":")).isEqualTo(7L);
  }
}
