package org.pentecost.server.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVStoreException;
import org.pentecost.server.config.ConfigException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens the store file at start-up and checks it against the {@link CommitLog}: a file that is
 * missing, empty, unreadable or ends at an older commit than the log recorded is damaged. A damaged
 * file stops the start with a message for the operator, unless {@code store.recover} is set: then
 * {@link StoreRecovery} carries what it still holds into a fresh file.
 */
final class StoreStartup {
  private static final Logger LOG = LoggerFactory.getLogger(StoreStartup.class);

  /** The store file, open, with its commit log started. */
  record Opened(StoreFile file, CommitLog log) {}

  private StoreStartup() {}

  static Opened open(Path dir, Path file, boolean recover, Clock clock) {
    CommitLog log = new CommitLog(dir);
    CommitLog.Entry last;
    try {
      last = log.last();
    } catch (IOException e) {
      throw new ConfigException(
          "Session store commit log " + log.path() + " cannot be read: " + e.getMessage(), e);
    }
    boolean existed = Files.exists(file);
    StoreFile opened = null;
    String damage;
    try {
      damage = checkBeforeOpening(file, log, last);
      if (damage == null) {
        opened = StoreFile.open(file);
        damage = checkOpened(opened, log, last);
      }
    } catch (ConfigException e) {
      throw e;
    } catch (RuntimeException e) {
      if (opened != null) {
        opened.closeImmediately();
        opened = null;
      }
      if (!existed) {
        deleteQuietly(file); // our own half-created file, on a full disk say: no damage to report
      }
      if (!existed || !StoreErrors.isDamage(e)) {
        throw openFailure(file, e);
      }
      damage = "it is corrupt or unreadable (" + StoreErrors.reason(e) + ")";
    }
    if (damage != null) {
      if (opened != null) {
        opened.closeImmediately();
      }
      if (!recover) {
        throw new ConfigException(refusal(file, log, damage));
      }
      opened = StoreRecovery.recover(file, log, damage, clock);
    } else if (recover) {
      LOG.info(
          "store.recover is set, but the session store {} is intact: nothing to recover", file);
    }
    try {
      log.start(opened.version(), opened.count());
    } catch (IOException e) {
      opened.closeImmediately();
      throw new ConfigException(
          "Session store commit log " + log.path() + " cannot be written: " + e.getMessage(), e);
    }
    if (last == null && existed) {
      LOG.info("session store {}: no commit log yet, started {}", file, log.path());
    }
    return new Opened(opened, log);
  }

  /** What is wrong with the file before MVStore opens it, or null. */
  private static String checkBeforeOpening(Path file, CommitLog log, CommitLog.Entry last) {
    long size;
    try {
      size = Files.exists(file) ? Files.size(file) : -1;
    } catch (IOException e) {
      throw new ConfigException("Session store " + file + " cannot be read: " + e, e);
    }
    String promised =
        last == null
            ? null
            : "the commit log "
                + log.path()
                + " recorded commit "
                + last.version()
                + " with "
                + last.count()
                + " sessions";
    if (size < 0) {
      // no file and nothing promised: a first start (or a log that never saw a session)
      return last == null || last.count() == 0 ? null : "it is missing, but " + promised;
    }
    if (size == 0) {
      // MVStore would start an empty store in it, silently
      return "it is empty (0 bytes)" + (promised == null ? "" : ", but " + promised);
    }
    return null;
  }

  /** What is wrong with the opened file, or null. Reads every session to find bad pages now. */
  private static String checkOpened(StoreFile opened, CommitLog log, CommitLog.Entry last) {
    long version = opened.version();
    long count = opened.count();
    if (last != null && version < last.version()) {
      return "its newest "
          + (last.version() - version)
          + " commits are missing: it ends at commit "
          + version
          + " with "
          + count
          + " sessions, but the commit log "
          + log.path()
          + " recorded commit "
          + last.version()
          + " with "
          + last.count()
          + " sessions; the file was cut short, or its end overwritten";
    }
    opened.repairIndex();
    return null;
  }

  private static String refusal(Path file, CommitLog log, String damage) {
    return "Session store "
        + file
        + " is damaged: "
        + damage
        + ". Nothing was changed. To start, either restore the file from a backup (then also"
        + " remove "
        + log.path()
        + ", which the backup does not reach), or start once with --recover (or"
        + " PENTECOST_STORE_RECOVER=true): the damaged file is kept as "
        + file.getFileName()
        + ".damaged-<time>, the sessions it still holds go into a fresh file, and the sessions"
        + " lost are logged.";
  }

  static ConfigException openFailure(Path file, RuntimeException e) {
    String reason = StoreErrors.reason(e);
    if (StoreErrors.isDiskFull(e)) {
      return new ConfigException(
          "Session store "
              + file
              + " cannot be written: "
              + StoreErrors.NO_SPACE
              + " (free some space on the disk of "
              + file.getParent()
              + ", then start again)",
          e);
    }
    int code = e instanceof MVStoreException m ? m.getErrorCode() : -1;
    String why =
        switch (code) {
          case DataUtils.ERROR_FILE_LOCKED ->
              "is already in use by another process (another server running on the same data"
                  + " directory?)";
          case DataUtils.ERROR_UNSUPPORTED_FORMAT ->
              "has an unsupported format (written by another MVStore version?)";
          default -> "cannot be opened";
        };
    return new ConfigException("Session store " + file + " " + why + " (" + reason + ")", e);
  }

  private static void deleteQuietly(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException ignored) {
      // it stays; being empty, the next start names it
    }
  }
}
