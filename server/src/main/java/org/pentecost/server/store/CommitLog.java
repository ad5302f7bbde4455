package org.pentecost.server.store;

import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;

/**
 * {@code sessions.commits}, a small text file beside the store: one line per commit with MVStore's
 * version after it, the number of sessions, and the sessions written in it ({@code id/version/
 * expiresAt}), each line ending in its CRC-32.
 *
 * <p>Why MVStore alone does not do: when the newest part of its file is cut off or overwritten,
 * MVStore opens the newest complete state it still finds, without a word. A file truncated to half
 * opened "healthy" with 163 of 462 sessions; a file with its last 32 KB overwritten lost two. The
 * header cannot tell either, since MVStore rewrites it only now and then, not with every commit.
 * This log says which commit the file must reach: a file that ends at an older one lost commits.
 * After {@code --recover}, its ids name the sessions lost.
 *
 * <p>A line is appended after its commit reached the file and, like the store, is not fsynced: a
 * {@code kill -9} leaves the log at most one commit behind the file (harmless), never ahead. A line
 * cut short by a kill fails its CRC and is skipped. At 1 MiB the log moves to {@code
 * sessions.commits.1} (replacing the one before) and starts again.
 */
final class CommitLog implements AutoCloseable {
  static final String FILE_NAME = "sessions.commits";
  private static final long ROTATE_BYTES = 1 << 20;

  /** The sessions a commit wrote: created or replaced, with their version and expiry. */
  record Change(String id, long sessionVersion, long expiresAt) {}

  /** One commit: MVStore's version after it and how many sessions the store then held. */
  record Entry(long version, long count, List<Change> changes) {}

  private final Path path;
  private final Path previous;
  private FileChannel channel; // null until start(), and after a failed write

  CommitLog(Path dir) {
    this.path = dir.resolve(FILE_NAME);
    this.previous = dir.resolve(FILE_NAME + ".1");
  }

  Path path() {
    return path;
  }

  /** Every complete entry, oldest first (the previous file's, then this one's). */
  List<Entry> readAll() throws IOException {
    List<Entry> entries = new ArrayList<>();
    for (Path p : List.of(previous, path)) {
      if (Files.exists(p)) {
        for (String line : Files.readString(p, StandardCharsets.ISO_8859_1).split("\n")) {
          Entry e = parse(line);
          if (e != null) {
            entries.add(e);
          }
        }
      }
    }
    return entries;
  }

  /** The newest complete entry, or null without any (a store from before this log existed). */
  Entry last() throws IOException {
    List<Entry> all = readAll();
    return all.isEmpty() ? null : all.get(all.size() - 1);
  }

  /**
   * Opens the log for appending and records the state the store starts from. A line a kill or a
   * full disk left half-written at the end is cut off first.
   */
  synchronized void start(long version, long count) throws IOException {
    closeChannel();
    channel =
        FileChannel.open(
            path, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      channel.truncate(endOfLastLine(channel));
      append(version, count, List.of());
    } catch (IOException | RuntimeException e) {
      closeChannel();
      throw e;
    }
  }

  /**
   * Records a commit. After a failure the log takes no more lines until {@link #start} again (a
   * line may have been half-written).
   */
  synchronized void append(long version, long count, List<Change> changes) throws IOException {
    if (channel == null) {
      throw new IOException("the commit log " + path + " is not open");
    }
    try {
      if (channel.size() >= ROTATE_BYTES) {
        rotate();
      }
      ByteBuffer line = ByteBuffer.wrap(format(version, count, changes));
      long at = channel.size();
      while (line.hasRemaining()) {
        at += channel.write(line, at);
      }
    } catch (IOException | RuntimeException e) {
      closeChannel();
      throw e;
    }
  }

  /** Renames the log (and its previous file) to {@code <target>.commits[.1]}, for the record. */
  synchronized void moveAside(Path target) throws IOException {
    closeChannel();
    if (Files.exists(previous)) {
      Files.move(previous, target.resolveSibling(target.getFileName() + ".commits.1"));
    }
    if (Files.exists(path)) {
      Files.move(path, target.resolveSibling(target.getFileName() + ".commits"));
    }
  }

  @Override
  public synchronized void close() throws IOException {
    closeChannel();
  }

  private void rotate() throws IOException {
    channel.close();
    channel = null;
    Files.move(path, previous, StandardCopyOption.REPLACE_EXISTING);
    channel =
        FileChannel.open(
            path, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE);
  }

  private void closeChannel() throws IOException {
    FileChannel c = channel;
    channel = null;
    if (c != null) {
      c.close();
    }
  }

  private static long endOfLastLine(FileChannel ch) throws IOException {
    long size = ch.size();
    ByteBuffer b = ByteBuffer.allocate(4096);
    for (long end = size; end > 0; ) {
      long from = Math.max(0, end - b.capacity());
      b.clear().limit((int) (end - from));
      while (b.hasRemaining() && ch.read(b, from + b.position()) >= 0) {
        // read the whole window
      }
      for (int i = b.position() - 1; i >= 0; i--) {
        if (b.get(i) == '\n') {
          return from + i + 1;
        }
      }
      end = from;
    }
    return 0;
  }

  static byte[] format(long version, long count, List<Change> changes) {
    StringBuilder b = new StringBuilder(32 + changes.size() * 48);
    b.append(version).append(' ').append(count);
    for (Change c : changes) {
      b.append(' ')
          .append(URLEncoder.encode(c.id(), StandardCharsets.UTF_8))
          .append('/')
          .append(c.sessionVersion())
          .append('/')
          .append(c.expiresAt());
    }
    String text = b.toString();
    return (text + ' ' + crc(text) + '\n').getBytes(StandardCharsets.ISO_8859_1);
  }

  /** The entry of one line, or null if the line is incomplete or damaged. */
  static Entry parse(String line) {
    int lastSpace = line.lastIndexOf(' ');
    if (lastSpace < 0 || !line.substring(lastSpace + 1).equals(crc(line.substring(0, lastSpace)))) {
      return null;
    }
    try {
      String[] tokens = line.substring(0, lastSpace).split(" ");
      List<Change> changes = new ArrayList<>(tokens.length - 2);
      for (int i = 2; i < tokens.length; i++) {
        String[] parts = tokens[i].split("/");
        changes.add(
            new Change(
                URLDecoder.decode(parts[0], StandardCharsets.UTF_8),
                Long.parseLong(parts[1]),
                Long.parseLong(parts[2])));
      }
      return new Entry(Long.parseLong(tokens[0]), Long.parseLong(tokens[1]), changes);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String crc(String text) {
    CRC32 crc = new CRC32();
    crc.update(text.getBytes(StandardCharsets.ISO_8859_1));
    return String.format("%08x", crc.getValue());
  }
}
