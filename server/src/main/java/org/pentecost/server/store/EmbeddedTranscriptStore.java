package org.pentecost.server.store;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.h2.mvstore.Cursor;
import org.pentecost.server.error.StoreException;
import org.pentecost.server.session.TranscriptLine;
import org.pentecost.server.session.TranscriptStore;
import org.pentecost.server.util.Json;

/**
 * {@link TranscriptStore} in the embedded store's {@link HistoryFile}: one entry per line, keyed so
 * that a transcript is one key range in order, the size of each transcript beside it (both bounds
 * are checked without reading the lines), and each session record's {@code expiresAt} for {@link
 * #purgeExpired}. Every call runs on the history file's one thread, so an append checks and writes
 * without a lock; what was appended survives a restart (see {@link HistoryFile} for how much a kill
 * may lose).
 */
public final class EmbeddedTranscriptStore implements TranscriptStore {
  private static final char SEP = StoreFile.SEP;

  private final HistoryFile file;

  public EmbeddedTranscriptStore(HistoryFile file) {
    this.file = file;
  }

  private static String transcriptKey(String session, String language) {
    return session + SEP + language;
  }

  /** The key of line {@code n}: 12 digits keep the keys' order the lines' order. */
  private static String lineKey(String transcript, long n) {
    return transcript + SEP + String.format("%012d", n);
  }

  @Override
  public Future<Boolean> append(
      String sessionId,
      long createdAt,
      String language,
      TranscriptLine line,
      long expiresAt,
      Limits limits) {
    String session = HistoryFile.sessionKey(sessionId, createdAt);
    String transcript = transcriptKey(session, language);
    String json = Json.write(line);
    return file.run(
        "transcript append",
        () -> {
          long[] size = size(file.transcriptSizes.get(transcript));
          long chars = line.text().length();
          if (size[0] >= limits.maxLines() || size[1] + chars > limits.maxChars()) {
            return false;
          }
          file.transcriptExpiry.put(session, Long.toString(expiresAt));
          file.lines.put(lineKey(transcript, size[0]), json);
          file.transcriptSizes.put(transcript, (size[0] + 1) + " " + (size[1] + chars));
          return true;
        });
  }

  private static long[] size(String kept) {
    if (kept == null) {
      return new long[] {0, 0};
    }
    int space = kept.indexOf(' ');
    return new long[] {
      Long.parseLong(kept.substring(0, space)), Long.parseLong(kept.substring(space + 1))
    };
  }

  @Override
  public Future<List<TranscriptLine>> lines(String sessionId, long createdAt, String language) {
    String transcript = transcriptKey(HistoryFile.sessionKey(sessionId, createdAt), language);
    return file.run(
        "transcript read",
        () -> {
          List<TranscriptLine> lines = new ArrayList<>();
          String from = transcript + SEP;
          for (Cursor<String, String> c = file.lines.cursor(from); c.hasNext(); ) {
            String key = c.next();
            if (!key.startsWith(from)) {
              break;
            }
            lines.add(parse(c.getValue()));
          }
          return lines;
        });
  }

  private static TranscriptLine parse(String json) {
    try {
      return Json.read(json, TranscriptLine.class);
    } catch (IllegalStateException e) {
      throw new StoreException("a transcript line in the history file is unreadable", e);
    }
  }

  @Override
  public Future<List<String>> languages(String sessionId, long createdAt) {
    String from = HistoryFile.sessionKey(sessionId, createdAt) + SEP;
    return file.run(
        "transcript languages",
        () -> {
          List<String> languages = new ArrayList<>();
          for (Iterator<String> it = file.transcriptSizes.keyIterator(from); it.hasNext(); ) {
            String key = it.next();
            if (!key.startsWith(from)) {
              break;
            }
            languages.add(key.substring(from.length()));
          }
          return languages;
        });
  }

  @Override
  public Future<Integer> purgeExpired(long now) {
    return file.run(
        "transcript purge",
        () -> {
          List<String> expired = new ArrayList<>();
          file.transcriptExpiry.forEach(
              (session, expiresAt) -> {
                if (Long.parseLong(expiresAt) <= now) {
                  expired.add(session);
                }
              });
          for (String session : expired) {
            HistoryFile.deleteRange(file.lines, session + SEP);
            HistoryFile.deleteRange(file.transcriptSizes, session + SEP);
            file.transcriptExpiry.remove(session);
          }
          if (!expired.isEmpty()) {
            file.compactAfterPurge();
          }
          return expired.size();
        });
  }
}
