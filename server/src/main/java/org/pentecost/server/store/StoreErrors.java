package org.pentecost.server.store;

import java.io.IOException;
import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVStoreException;

/** What an exception from MVStore or the file system means, in words for an operator. */
final class StoreErrors {
  static final String NO_SPACE = "No space left on device";

  private StoreErrors() {}

  /**
   * The operating system's reason when there is one ("No space left on device"), not MVStore's
   * wrapper ("Writing to sun.nio.ch.FileChannelImpl@1b2c failed; length 8192 at 0"), which names
   * neither the cause nor the file.
   */
  static String reason(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof IOException && t.getMessage() != null) {
        return t.getMessage();
      }
    }
    return e.getMessage() == null ? e.toString() : e.getMessage();
  }

  static boolean isDiskFull(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (String.valueOf(t.getMessage()).contains(NO_SPACE)) {
        return true;
      }
    }
    return false;
  }

  /** True if MVStore found the file's content bad, as opposed to being unable to use the file. */
  static boolean isDamage(Throwable e) {
    if (isDiskFull(e)) {
      return false;
    }
    if (!(e instanceof MVStoreException m)) {
      return true; // a value that does not parse, an index entry without its separator
    }
    return switch (m.getErrorCode()) {
      case DataUtils.ERROR_FILE_CORRUPT,
          DataUtils.ERROR_READING_FAILED,
          DataUtils.ERROR_CHUNK_NOT_FOUND,
          DataUtils.ERROR_BLOCK_NOT_FOUND,
          DataUtils.ERROR_INTERNAL ->
          true;
      default -> false;
    };
  }
}
