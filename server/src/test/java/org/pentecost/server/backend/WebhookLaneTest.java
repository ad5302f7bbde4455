package org.pentecost.server.backend;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class WebhookLaneTest {
  @Test
  void backoffStartsAtOneSecondAndDoublesUpToAMinute() {
    assertThat(IntStream.rangeClosed(1, 9).mapToLong(WebhookLane::backoff).toArray())
        .containsExactly(1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000);
    assertThat(WebhookLane.backoff(1_000)).isEqualTo(60_000);
  }
}
