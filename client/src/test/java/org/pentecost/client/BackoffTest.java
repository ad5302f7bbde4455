package org.pentecost.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
  private static final double ALMOST_ONE = Math.nextDown(1.0);

  @Test
  void stepsDoubleFromTheInitialOneUpToTheCeiling() {
    Backoff b = new Backoff(500, 30_000, () -> 0);
    List<Long> steps = new ArrayList<>();
    for (int n = 0; n < 9; n++) {
      steps.add(b.ceiling(n));
    }
    assertThat(steps)
        .containsExactly(500L, 1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 30_000L, 30_000L, 30_000L);
    // No overflow for absurd attempt counts.
    assertThat(b.ceiling(1_000)).isEqualTo(30_000);
    assertThat(b.ceiling(63)).isEqualTo(30_000);
  }

  @Test
  void jitterKeepsEachDelayBetweenHalfAndAllOfItsStep() {
    Backoff low = new Backoff(500, 30_000, () -> 0);
    Backoff high = new Backoff(500, 30_000, () -> ALMOST_ONE);
    assertThat(low.delay(0, 0, false)).isEqualTo(250);
    assertThat(high.delay(0, 0, false)).isBetween(499L, 500L);
    assertThat(low.delay(3, 0, false)).isEqualTo(2_000);
    assertThat(high.delay(3, 0, false)).isBetween(3_999L, 4_000L);
    assertThat(low.delay(20, 0, false)).isEqualTo(15_000);
    Random r = new Random(42);
    Backoff random = new Backoff(500, 30_000, r::nextDouble);
    for (int n = 0; n < 200; n++) {
      int attempt = n % 10;
      long step = random.ceiling(attempt);
      assertThat(random.delay(attempt, 0, false)).isBetween(step / 2, step);
    }
  }

  @Test
  void aServerRetryHintIsAFloorWithSomeJitterAbove() {
    Backoff low = new Backoff(500, 30_000, () -> 0);
    Backoff high = new Backoff(500, 30_000, () -> ALMOST_ONE);
    assertThat(low.delay(0, 30_000, false)).isEqualTo(30_000);
    assertThat(high.delay(0, 30_000, false)).isBetween(35_999L, 36_000L);
    // A late attempt's own step wins over a smaller hint.
    assertThat(low.delay(6, 1_000, false)).isEqualTo(15_000);
  }

  @Test
  void goingAwayIsRetriedAtOnceThenBacksOff() {
    Backoff low = new Backoff(500, 30_000, () -> 0);
    Backoff high = new Backoff(500, 30_000, () -> ALMOST_ONE);
    assertThat(low.delay(0, 0, true)).isZero();
    assertThat(high.delay(0, 0, true)).isLessThanOrEqualTo(500);
    assertThat(low.delay(1, 0, true)).isEqualTo(500);
  }

  @Test
  void rejectsAnEmptyRange() {
    assertThatThrownBy(() -> new Backoff(0, 10, () -> 0))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(10, 5, () -> 0))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
