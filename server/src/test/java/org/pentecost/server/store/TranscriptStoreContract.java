package org.pentecost.server.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pentecost.server.session.TranscriptLine;
import org.pentecost.server.session.TranscriptStore;
import org.pentecost.server.session.TranscriptStore.Limits;

/** The {@link TranscriptStore} contract; every implementation extends this with a factory. */
public abstract class TranscriptStoreContract extends HistoryStoreContract<TranscriptStore> {
  private static final Limits ROOMY = new Limits(1000, 1_000_000);

  @Test
  void linesComeBackInOrderPerLanguageAndSessionRecord() {
    long expires = later();
    assertThat(await(store.append("S1", 100, "en", line(1, "one"), expires, ROOMY))).isTrue();
    assertThat(await(store.append("S1", 100, "es", line(2, "uno"), expires, ROOMY))).isTrue();
    assertThat(await(store.append("S1", 100, "en", line(3, "two, \"quoted\""), expires, ROOMY)))
        .isTrue();
    assertThat(await(store.append("S1", 200, "en", line(4, "a later session"), expires, ROOMY)))
        .isTrue();
    assertThat(await(store.lines("S1", 100, "en")))
        .containsExactly(line(1, "one"), line(3, "two, \"quoted\""));
    assertThat(await(store.lines("S1", 100, "es"))).containsExactly(line(2, "uno"));
    assertThat(await(store.lines("S1", 200, "en"))).containsExactly(line(4, "a later session"));
    assertThat(await(store.lines("S1", 100, "fr"))).isEmpty();
    assertThat(await(store.lines("S2", 100, "en"))).isEmpty();
    assertThat(await(store.languages("S1", 100))).containsExactlyInAnyOrder("en", "es");
    assertThat(await(store.languages("S2", 100))).isEmpty();
  }

  @Test
  void aFullTranscriptRefusesLinesAndKeepsWhatItHas() {
    long expires = later();
    Limits three = new Limits(3, 1_000);
    for (int i = 0; i < 3; i++) {
      assertThat(await(store.append("S1", 1, "en", line(i, "line " + i), expires, three))).isTrue();
    }
    assertThat(await(store.append("S1", 1, "en", line(9, "too many"), expires, three))).isFalse();
    assertThat(await(store.lines("S1", 1, "en"))).hasSize(3);
    assertThat(await(store.append("S1", 1, "fr", line(9, "autre langue"), expires, three)))
        .isTrue();

    Limits tenChars = new Limits(100, 10);
    assertThat(await(store.append("S2", 1, "en", line(1, "12345"), expires, tenChars))).isTrue();
    assertThat(await(store.append("S2", 1, "en", line(2, "123456"), expires, tenChars))).isFalse();
    assertThat(await(store.append("S2", 1, "en", line(3, "12345"), expires, tenChars))).isTrue();
    assertThat(await(store.lines("S2", 1, "en")))
        .extracting(TranscriptLine::text)
        .containsExactly("12345", "12345");
  }

  @Test
  void concurrentAppendsAreAllKeptUpToTheBound() {
    long expires = later();
    Limits fifty = new Limits(50, 1_000_000);
    List<Future<Boolean>> all = new ArrayList<>();
    for (int i = 0; i < 80; i++) {
      all.add(store.append("S1", 1, "en", line(i, "caption " + i), expires, fifty));
    }
    long kept = all.stream().filter(SessionStoreContract::await).count();
    assertThat(kept).isEqualTo(50);
    assertThat(await(store.lines("S1", 1, "en"))).hasSize(50);
  }

  @Test
  void transcriptsGoWhenTheirSessionExpires() throws InterruptedException {
    long soon = System.currentTimeMillis() + 300;
    assertThat(await(store.append("S1", 1, "en", line(1, "short-lived"), soon, ROOMY))).isTrue();
    assertThat(await(store.append("S2", 1, "en", line(1, "long-lived"), later(), ROOMY))).isTrue();
    Thread.sleep(400);
    await(store.purgeExpired(System.currentTimeMillis()));
    assertThat(await(store.lines("S1", 1, "en"))).isEmpty();
    assertThat(await(store.languages("S1", 1))).isEmpty();
    assertThat(await(store.lines("S2", 1, "en"))).hasSize(1);
  }

  private static TranscriptLine line(long at, String text) {
    return new TranscriptLine(at, text);
  }
}
