package org.pentecost.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pentecost.server.session.SummaryStore;
import org.pentecost.server.session.SummaryStore.Change;

/** The {@link SummaryStore} contract; every implementation extends this with a factory. */
public abstract class SummaryStoreContract extends HistoryStoreContract<SummaryStore> {
  @Test
  void additionsAddUpMaximaNeverFallAndSetsReplace() {
    long e = later();
    await(store.update("S1", 1, new Change(Map.of("ms|en", 1000L), Map.of(), Map.of()), e));
    await(
        store.update(
            "S1",
            1,
            new Change(
                Map.of("ms|en", 500L),
                Map.of("peak|en", 3L),
                Map.of("fmt|en", "speaker pcm16 16000 20")),
            e));
    await(
        store.update(
            "S1",
            1,
            new Change(Map.of(), Map.of("peak|en", 2L), Map.of("fmt|en", "speaker opus 16000 20")),
            e));
    await(store.update("S1", 2, new Change(Map.of("ms|en", 7L), Map.of(), Map.of()), e));
    assertThat(await(store.read("S1", 1)))
        .isEqualTo(Map.of("ms|en", "1500", "peak|en", "3", "fmt|en", "speaker opus 16000 20"));
    assertThat(await(store.read("S1", 2))).isEqualTo(Map.of("ms|en", "7"));
    assertThat(await(store.read("S9", 1))).isEmpty();
  }

  @Test
  void concurrentUpdatesFromManyNodesAllCount() {
    long e = later();
    List<Future<Void>> all = new ArrayList<>();
    for (int i = 1; i <= 100; i++) {
      all.add(
          store.update(
              "S1", 1, new Change(Map.of("ms|fr", 10L), Map.of("peak|fr", (long) i), Map.of()), e));
    }
    all.forEach(SessionStoreContract::await);
    assertThat(await(store.read("S1", 1)))
        .containsEntry("ms|fr", "1000")
        .containsEntry("peak|fr", "100");
  }

  @Test
  void summariesGoWhenTheirSessionExpires() throws InterruptedException {
    await(
        store.update(
            "S1",
            1,
            new Change(Map.of("ms|en", 1L), Map.of(), Map.of()),
            System.currentTimeMillis() + 300));
    await(store.update("S2", 1, new Change(Map.of("ms|en", 1L), Map.of(), Map.of()), later()));
    Thread.sleep(400);
    await(store.purgeExpired(System.currentTimeMillis()));
    assertThat(await(store.read("S1", 1))).isEmpty();
    assertThat(await(store.read("S2", 1))).isNotEmpty();
  }
}
