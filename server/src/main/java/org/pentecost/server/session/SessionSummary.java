package org.pentecost.server.session;

import java.util.List;

/**
 * What a session's speaker reads after it (or during it): its audience and where its audio went.
 * Listener-minutes are the sum, over listeners, of the time each was connected to hear a language.
 */
public record SessionSummary(
    String sessionId,
    SessionStatus status,
    long createdAt,
    Long endedAt,
    int peakListeners,
    double listenerMinutes,
    List<Language> languages) {

  /** One language: who heard it, and the audio published in it (null when none was). */
  public record Language(String language, int peakListeners, double listenerMinutes, Audio audio) {}

  /**
   * Audio published in a language: by the speaker (the source language) or a worker; its last
   * format; how many frames and about how many minutes.
   */
  public record Audio(
      String publishedBy, String codec, int sampleRate, long frames, double minutes) {}
}
