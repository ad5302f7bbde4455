package org.pentecost.server.testing;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A tiny blocking RESP2 client for tests: looks at what the server wrote without going through the
 * code under test. Answers are {@code String}, {@code Long}, {@code List<Object>} or null; error
 * replies throw.
 */
public final class RedisTestClient implements AutoCloseable {
  private final Socket socket;
  private final InputStream in;
  private final OutputStream out;

  public RedisTestClient(String url) {
    URI uri = URI.create(url);
    try {
      socket = new Socket();
      socket.connect(
          new InetSocketAddress(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort()), 1000);
      socket.setSoTimeout(10_000);
      in = new BufferedInputStream(socket.getInputStream());
      out = socket.getOutputStream();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot reach Redis at " + url, e);
    }
  }

  public Object call(Object... args) {
    StringBuilder b = new StringBuilder("*").append(args.length).append("\r\n");
    for (Object arg : args) {
      String s = String.valueOf(arg);
      b.append('$').append(s.getBytes(StandardCharsets.UTF_8).length).append("\r\n");
      b.append(s).append("\r\n");
    }
    try {
      out.write(b.toString().getBytes(StandardCharsets.UTF_8));
      out.flush();
      return read();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every key that starts with {@code prefix}. */
  public List<String> keys(String prefix) {
    List<String> keys = new ArrayList<>();
    String cursor = "0";
    do {
      List<?> page = (List<?>) call("SCAN", cursor, "MATCH", glob(prefix) + "*", "COUNT", 1000);
      cursor = (String) page.get(0);
      for (Object key : (List<?>) page.get(1)) {
        keys.add((String) key);
      }
    } while (!cursor.equals("0"));
    return keys;
  }

  /** Deletes every key that starts with {@code prefix}. */
  public void deleteKeys(String prefix) {
    for (String key : keys(prefix)) {
      call("DEL", key);
    }
  }

  private static String glob(String prefix) {
    return prefix.replaceAll("([*?\\[\\]\\\\])", "\\\\$1");
  }

  private Object read() throws IOException {
    int type = in.read();
    String line = line();
    switch (type) {
      case '+':
        return line;
      case '-':
        throw new IllegalStateException(line);
      case ':':
        return Long.parseLong(line);
      case '$':
        {
          int n = Integer.parseInt(line);
          if (n < 0) {
            return null;
          }
          byte[] data = in.readNBytes(n + 2);
          return new String(data, 0, n, StandardCharsets.UTF_8);
        }
      case '*':
        {
          int n = Integer.parseInt(line);
          if (n < 0) {
            return null;
          }
          List<Object> list = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            list.add(read());
          }
          return list;
        }
      default:
        throw new IOException("unexpected RESP type " + type);
    }
  }

  private String line() throws IOException {
    StringBuilder b = new StringBuilder();
    for (int c; (c = in.read()) != '\r'; ) {
      if (c < 0) {
        throw new IOException("connection closed");
      }
      b.append((char) c);
    }
    in.read(); // \n
    return b.toString();
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
