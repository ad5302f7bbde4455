package org.pentecost.server.http;

import java.util.List;
import java.util.Locale;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.server.error.ApiException;
import org.pentecost.server.session.TranscriptLine;
import org.pentecost.server.util.InputExcerpt;

/**
 * A transcript written as plain text, WebVTT or SubRip. Cue times count from the session's start; a
 * cue lasts until the next one starts, at most {@link #MAX_CUE_MILLIS}; the last one lasts that
 * long.
 */
enum TranscriptFormat {
  TXT("txt", "text/plain; charset=utf-8"),
  VTT("vtt", "text/vtt; charset=utf-8"),
  SRT("srt", "application/x-subrip; charset=utf-8");

  /** The longest a cue stays on screen when the next one is late or there is none. */
  static final long MAX_CUE_MILLIS = 6_000;

  final String extension;
  final String contentType;

  TranscriptFormat(String extension, String contentType) {
    this.extension = extension;
    this.contentType = contentType;
  }

  /** The format named by {@code ?format=} (txt when absent), or INVALID_REQUEST. */
  static TranscriptFormat of(String name) {
    if (name == null) {
      return TXT;
    }
    for (TranscriptFormat f : values()) {
      if (f.extension.equals(name.toLowerCase(Locale.ROOT))) {
        return f;
      }
    }
    throw new ApiException(
        ErrorCode.INVALID_REQUEST,
        "unknown format '" + InputExcerpt.of(name) + "'; use txt, vtt or srt");
  }

  /** The whole document; {@code start}: the session's start (epoch ms). */
  String write(List<TranscriptLine> lines, long start) {
    StringBuilder out = new StringBuilder(this == VTT ? "WEBVTT\n\n" : "");
    for (int i = 0; i < lines.size(); i++) {
      TranscriptLine line = lines.get(i);
      long from = Math.max(0, line.at() - start);
      long next =
          i + 1 < lines.size() ? Math.max(0, lines.get(i + 1).at() - start) : Long.MAX_VALUE;
      long to = Math.max(from + 1, Math.min(next, from + MAX_CUE_MILLIS));
      String text = oneBlock(line.text());
      switch (this) {
        case TXT -> out.append('[').append(clock(from, ':', false)).append("] ").append(text);
        case VTT ->
            out.append(clock(from, '.', true))
                .append(" --> ")
                .append(clock(to, '.', true))
                .append('\n')
                .append(escapeVtt(text))
                .append('\n');
        case SRT ->
            out.append(i + 1)
                .append('\n')
                .append(clock(from, ',', true))
                .append(" --> ")
                .append(clock(to, ',', true))
                .append('\n')
                .append(text)
                .append('\n');
      }
      out.append('\n');
    }
    return out.toString();
  }

  /** The text with no blank line inside (a blank line ends a VTT or SRT cue). */
  private static String oneBlock(String text) {
    return text.strip().replace("\r\n", "\n").replace('\r', '\n').replaceAll("\n\\s*\n+", "\n");
  }

  /** WebVTT cue text: {@code &}, {@code <} and {@code >} as entities, so "-->" cannot occur. */
  private static String escapeVtt(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  /** {@code hh:mm:ss} and, with {@code millis}, the separator and three digits of milliseconds. */
  static String clock(long ms, char separator, boolean millis) {
    long s = ms / 1000;
    String hms = String.format(Locale.ROOT, "%02d:%02d:%02d", s / 3600, s / 60 % 60, s % 60);
    return millis ? hms + separator + String.format(Locale.ROOT, "%03d", ms % 1000) : hms;
  }
}
