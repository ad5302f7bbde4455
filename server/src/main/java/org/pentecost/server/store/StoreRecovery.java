package org.pentecost.server.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.pentecost.server.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code --recover}: keeps a damaged store file aside (never deletes it), carries the sessions it
 * still holds into a fresh file, and logs what was lost by comparing them with the {@link
 * CommitLog}.
 *
 * <p>The damaged file is read without writing to it, in MVStore's recovery mode: MVStore picks the
 * newest commit whose chunks are all there, and a page that still does not read comes back empty
 * instead of failing, so every readable session is kept.
 */
final class StoreRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(StoreRecovery.class);
  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final int IDS_IN_LOG = 1000;

  /** What the damaged file still holds: its commit, and id -> session JSON. */
  private record Salvage(long version, Map<String, String> sessions, String unreadable) {}

  private StoreRecovery() {}

  /** Recovers {@code file}; returns the fresh file, open. The log is started by the caller. */
  static StoreFile recover(Path file, CommitLog log, String damage, Clock clock) {
    try {
      Path aside = unusedName(file, ".damaged-" + STAMP.format(clock.instant()));
      List<CommitLog.Entry> entries = log.readAll();
      Salvage salvage = salvage(file);
      Path fresh = file.resolveSibling(file.getFileName() + ".recovering");
      Files.deleteIfExists(fresh);
      StoreFile written = StoreFile.open(fresh);
      try {
        for (Map.Entry<String, String> e : salvage.sessions().entrySet()) {
          written.sessions.put(e.getKey(), e.getValue());
        }
        written.repairIndex();
        written.commit();
      } finally {
        written.close();
      }
      // the order keeps a crash in between loud: a missing file or one behind the log is refused
      boolean existed = Files.exists(file);
      if (existed) {
        Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(fresh, file, StandardCopyOption.ATOMIC_MOVE);
      log.moveAside(aside);
      StoreFile opened = StoreFile.open(file);
      report(file, existed ? aside : null, damage, salvage, entries, clock.millis());
      return opened;
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(
          "Recovering the session store "
              + file
              + " failed: "
              + StoreErrors.reason(e)
              + (StoreErrors.isDiskFull(e) ? " (free some space, then start again)" : ""),
          e);
    }
  }

  private static Salvage salvage(Path file) throws IOException {
    if (!Files.exists(file) || Files.size(file) == 0) {
      return new Salvage(0, Map.of(), null);
    }
    MVStore store;
    try {
      store = new MVStore.Builder().fileName(file.toString()).readOnly().recoveryMode().open();
    } catch (RuntimeException e) {
      return new Salvage(0, Map.of(), StoreErrors.reason(e));
    }
    Map<String, String> sessions = new LinkedHashMap<>();
    int unparsable = 0;
    try {
      if (store.hasMap(StoreFile.SESSIONS)) {
        MVMap<String, String> map = store.openMap(StoreFile.SESSIONS, StoreFile.stringMap());
        for (Map.Entry<String, String> e : map.entrySet()) {
          try {
            StoreFile.parse(e.getValue());
            sessions.put(e.getKey(), e.getValue());
          } catch (RuntimeException notASession) {
            unparsable++;
          }
        }
      }
      return new Salvage(
          store.getCurrentVersion(),
          sessions,
          unparsable == 0 ? null : unparsable + " entries did not parse");
    } catch (RuntimeException e) {
      // what was read before the failure is kept
      return new Salvage(store.getCurrentVersion(), sessions, StoreErrors.reason(e));
    } finally {
      store.closeImmediately();
    }
  }

  /**
   * One WARN line: what was kept where, what was carried over, and what was lost. {@code aside} is
   * null if there was no file to keep.
   */
  private static void report(
      Path file,
      Path aside,
      String damage,
      Salvage salvage,
      List<CommitLog.Entry> entries,
      long now)
      throws IOException {
    // the newest logged state of every session, dropping those that have expired by now
    Map<String, CommitLog.Change> logged = new LinkedHashMap<>();
    for (CommitLog.Entry entry : entries) {
      for (CommitLog.Change c : entry.changes()) {
        logged.remove(c.id());
        logged.put(c.id(), c);
      }
    }
    List<String> lost = new ArrayList<>();
    List<String> reverted = new ArrayList<>();
    for (CommitLog.Change c : logged.values()) {
      if (c.expiresAt() <= now) {
        continue;
      }
      String json = salvage.sessions().get(c.id());
      if (json == null) {
        lost.add(c.id());
      } else {
        long kept = StoreFile.parse(json).version();
        if (kept < c.sessionVersion()) {
          reverted.add(c.id() + " (back to version " + kept + " of " + c.sessionVersion() + ")");
        }
      }
    }
    StringBuilder b = new StringBuilder("recovered the session store ").append(file);
    b.append(": it was damaged (").append(damage).append(')');
    if (aside != null) {
      b.append(" and is kept as ").append(aside);
    }
    b.append("; carried over ").append(salvage.sessions().size()).append(" sessions");
    b.append(" (its newest readable commit, ").append(salvage.version()).append(')');
    if (salvage.unreadable() != null) {
      b.append(", some could not be read: ").append(salvage.unreadable());
    }
    if (entries.isEmpty()) {
      b.append("; there is no commit log, so lost sessions cannot be counted or named");
    } else {
      CommitLog.Entry last = entries.get(entries.size() - 1);
      b.append("; the commit log's last commit (").append(last.version()).append(") held ");
      b.append(last.count()).append(" sessions");
      b.append("; lost ").append(lost.size()).append(" sessions");
      appendIds(b, lost, listFile(file, aside, ".lost"));
      b.append("; ").append(reverted.size()).append(" sessions lost their latest change");
      appendIds(b, reverted, listFile(file, aside, ".reverted"));
      if (entries.get(0).version() > salvage.version() + 1) {
        b.append("; the commit log reaches back to commit ")
            .append(entries.get(0).version())
            .append(" only: sessions written before it and lost cannot be named");
      }
    }
    LOG.warn(b.toString());
  }

  /** ": a, b, c", all in the line up to a limit; beyond it, all of them in {@code listFile}. */
  private static void appendIds(StringBuilder b, List<String> ids, Path listFile)
      throws IOException {
    if (ids.isEmpty()) {
      return;
    }
    b.append(": ").append(String.join(", ", ids.subList(0, Math.min(ids.size(), IDS_IN_LOG))));
    if (ids.size() > IDS_IN_LOG) {
      Files.write(listFile, ids, StandardCharsets.UTF_8);
      b.append(" and ").append(ids.size() - IDS_IN_LOG).append(" more (all in ");
      b.append(listFile).append(')');
    }
  }

  private static Path listFile(Path file, Path aside, String suffix) {
    Path base = aside != null ? aside : file;
    return base.resolveSibling(base.getFileName() + suffix);
  }

  private static Path unusedName(Path file, String suffix) {
    Path candidate = file.resolveSibling(file.getFileName() + suffix);
    for (int i = 2; Files.exists(candidate); i++) {
      candidate = file.resolveSibling(file.getFileName() + suffix + "-" + i);
    }
    return candidate;
  }
}
