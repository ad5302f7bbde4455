package org.pentecost.server.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ConnectionIdsTest {

  @Test
  void idsAre22UrlSafeCharactersOf16BytesThatStartWithTheNodesTag() {
    ConnectionIds ids = new ConnectionIds();
    Set<String> seen = new HashSet<>();
    byte[] tag = null;
    for (int i = 0; i < 1000; i++) {
      String id = ids.next();
      assertThat(id).hasSize(22).matches("[A-Za-z0-9_-]{22}");
      byte[] bytes = Base64.getUrlDecoder().decode(id);
      assertThat(bytes).hasSize(16);
      byte[] head = java.util.Arrays.copyOf(bytes, 4);
      if (tag == null) {
        tag = head;
      }
      assertThat(head).as("every id of one node carries its tag").isEqualTo(tag);
      assertThat(ids.isOurs(id)).isTrue();
      assertThat(seen.add(id)).as("ids never repeat").isTrue();
    }
    long value =
        ((tag[0] & 0xffL) << 24)
            | ((tag[1] & 0xffL) << 16)
            | ((tag[2] & 0xffL) << 8)
            | tag[3] & 0xffL;
    assertThat(ConnectionIds.tagOf(ids.next())).isEqualTo(value);
  }

  @Test
  void anotherNodesIdsAreNotOurs() {
    ConnectionIds a = new ConnectionIds();
    ConnectionIds b = new ConnectionIds();
    // two random 32-bit tags are equal once in four billion starts
    String fromB = b.next();
    assertThat(a.isOurs(fromB)).isFalse();
    assertThat(b.isOurs(fromB)).isTrue();
    assertThat(ConnectionIds.tagOf(fromB)).isNotEqualTo(ConnectionIds.tagOf(a.next()));
  }

  @Test
  void theTagIsReadFromAnyWellFormedId() {
    byte[] bytes = new byte[16];
    bytes[0] = (byte) 0xde;
    bytes[1] = (byte) 0xad;
    bytes[2] = (byte) 0xbe;
    bytes[3] = (byte) 0xef;
    bytes[4] = (byte) 0xff;
    bytes[15] = (byte) 0xff;
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    assertThat(ConnectionIds.tagOf(id)).isEqualTo(0xdeadbeefL);
  }

  @ParameterizedTest
  @NullAndEmptySource
  @ValueSource(
      strings = {
        "short",
        "p1V0o3Qk2mUEXd1Cq0d8uQx", // 23 characters
        "p1V0o3Qk2mUEXd1Cq0d8u+", // not URL-safe
        "p1V0o3Qk2mUEXd1Cq0d8u=",
        "p1V0o3Qk2mUEXd1Cq0d8uR", // bits past the 16th byte
        "../../../../etc/passwd",
      })
  void anythingElseIsNoConnectionId(String text) {
    assertThat(ConnectionIds.tagOf(text)).isEqualTo(-1);
    assertThat(new ConnectionIds().isOurs(text)).isFalse();
  }
}
