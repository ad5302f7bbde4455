package org.pentecost.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AudioFrameTest {
  @Test
  void headerRoundTripsByteForByte() {
    byte[] payload = {9, 8, 7};
    byte[] frame =
        AudioFrame.encode(
            AudioFrame.FLAG_REPLAY, "es", 0xFFFF_FFF0L, 1_795_296_604_779_123L, payload);
    assertThat(frame).hasSize(AudioFrame.HEADER_BYTES + 3);
    assertThat(frame[0]).isEqualTo((byte) 1);
    assertThat(frame[1]).isEqualTo((byte) 2);
    assertThat(new String(frame, 2, 2, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("es");
    assertThat(frame[16]).isEqualTo((byte) 9);
    AudioFrame.Header h = AudioFrame.readHeader(frame);
    assertThat(h.language()).isEqualTo("es");
    assertThat(h.sequence()).isEqualTo(0xFFFF_FFF0L);
    assertThat(h.timestampMicros()).isEqualTo(1_795_296_604_779_123L);
    assertThat(h.replay()).isTrue();
    assertThat(h.discontinuity()).isFalse();
  }

  @Test
  void shortOrForeignFramesAreRefused() {
    assertThatThrownBy(() -> AudioFrame.readHeader(new byte[5]))
        .isInstanceOf(IllegalArgumentException.class);
    byte[] frame = AudioFrame.encode(0, "en", 1, 1, new byte[0]);
    frame[0] = 9;
    assertThatThrownBy(() -> AudioFrame.readHeader(frame)).hasMessageContaining("version");
  }
}
