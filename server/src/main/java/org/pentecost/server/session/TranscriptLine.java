package org.pentecost.server.session;

/** One final caption as kept in a transcript: when it was published (epoch ms) and its text. */
public record TranscriptLine(long at, String text) {}
