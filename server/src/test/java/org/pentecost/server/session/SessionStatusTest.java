package org.pentecost.server.session;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SessionStatusTest {
  @Test
  void activeAndPausedAlternateAndEndedIsFinal() {
    assertThat(SessionStatus.ACTIVE.canMoveTo(SessionStatus.PAUSED)).isTrue();
    assertThat(SessionStatus.PAUSED.canMoveTo(SessionStatus.ACTIVE)).isTrue();
    assertThat(SessionStatus.ACTIVE.canMoveTo(SessionStatus.ENDED)).isTrue();
    assertThat(SessionStatus.PAUSED.canMoveTo(SessionStatus.ENDED)).isTrue();
    for (SessionStatus s : SessionStatus.values()) {
      assertThat(SessionStatus.ENDED.canMoveTo(s)).isFalse();
    }
    assertThat(SessionStatus.fromWire("ended")).isEqualTo(SessionStatus.ENDED);
    assertThat(SessionStatus.fromWire("ENDED")).isNull();
  }
}
