package org.pentecost.server.testing;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

/**
 * A client that no browser would be: a plain TCP socket that speaks HTTP/1.1 and WebSocket framing
 * by hand, so that tests can send what real clients never do (oversized or malformed frames, pings
 * nobody reads, half-finished requests) and read exactly what the server answers.
 */
public final class RawSocket implements AutoCloseable {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** One frame as the server sent it. */
  public record Frame(int opcode, boolean fin, byte[] payload) {
    public String text() {
      return new String(payload, StandardCharsets.UTF_8);
    }

    /** The close code of a close frame, or -1 when it carries none. */
    public int closeCode() {
      return payload.length >= 2 ? ((payload[0] & 0xff) << 8) | (payload[1] & 0xff) : -1;
    }
  }

  public static final int CONTINUATION = 0x0;
  public static final int TEXT = 0x1;
  public static final int BINARY = 0x2;
  public static final int CLOSE = 0x8;
  public static final int PING = 0x9;
  public static final int PONG = 0xA;

  private final Socket socket;
  private final OutputStream out;
  private final DataInputStream in;

  private RawSocket(Socket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.in = new DataInputStream(socket.getInputStream());
  }

  /**
   * A TCP connection to 127.0.0.1:{@code port}, from {@code from} (any address of 127/8 works on
   * Linux; null for the default) with a receive buffer of {@code receiveBuffer} bytes (0 for the
   * default).
   */
  public static RawSocket connect(int port, InetAddress from, int receiveBuffer)
      throws IOException {
    Socket s = new Socket();
    if (receiveBuffer > 0) {
      s.setReceiveBufferSize(receiveBuffer);
    }
    if (from != null) {
      s.bind(new InetSocketAddress(from, 0));
    }
    s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5000);
    s.setSoTimeout(10_000);
    s.setTcpNoDelay(true);
    return new RawSocket(s);
  }

  public static RawSocket connect(int port) throws IOException {
    return connect(port, null, 0);
  }

  /**
   * Upgrades {@code /ws?query} with a well-formed handshake plus {@code headers} (which may
   * override the standard ones), and returns the response's status line and headers.
   */
  public String upgrade(String query, Map<String, String> headers) throws IOException {
    StringBuilder req = new StringBuilder("GET /ws?" + query + " HTTP/1.1\r\n");
    Map<String, String> standard =
        new java.util.LinkedHashMap<>(
            Map.of(
                "Host", "127.0.0.1",
                "Upgrade", "websocket",
                "Connection", "Upgrade",
                "Sec-WebSocket-Version", "13",
                "Sec-WebSocket-Key", newKey()));
    standard.putAll(headers);
    standard.forEach((k, v) -> req.append(k).append(": ").append(v).append("\r\n"));
    req.append("\r\n");
    write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
    return readHead();
  }

  public String upgrade(String query) throws IOException {
    return upgrade(query, Map.of());
  }

  public static String newKey() {
    byte[] key = new byte[16];
    RANDOM.nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  /** Reads an HTTP response's status line and headers (up to the blank line). */
  public String readHead() throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      head.write(b);
      matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  /** Everything the server sends until it closes the connection or {@code wait} passes. */
  public String readAll(Duration wait) throws IOException {
    socket.setSoTimeout((int) wait.toMillis());
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    try {
      int n;
      while ((n = in.read(buf)) > 0) {
        all.write(buf, 0, n);
      }
    } catch (SocketTimeoutException e) {
      // what arrived so far
    } catch (IOException e) {
      if (all.size() == 0) {
        throw e;
      }
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }

  public void write(byte[] bytes) throws IOException {
    out.write(bytes);
    out.flush();
  }

  public void write(String text) throws IOException {
    write(text.getBytes(StandardCharsets.ISO_8859_1));
  }

  /** A masked client frame. */
  public void sendFrame(int opcode, boolean fin, byte[] payload) throws IOException {
    write(frameHeader(opcode, fin, payload.length, true));
    byte[] mask = new byte[4];
    byte[] masked = payload.clone();
    for (int i = 0; i < masked.length; i++) {
      masked[i] ^= mask[i & 3]; // an all-zero mask keeps the bytes as they are
    }
    write(masked);
  }

  public void sendText(String text) throws IOException {
    sendFrame(TEXT, true, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The header of a frame (with a zero mask when {@code masked}) announcing {@code length} payload
   * bytes; the payload is the caller's to send, or not.
   */
  public static byte[] frameHeader(int opcode, boolean fin, long length, boolean masked) {
    ByteArrayOutputStream h = new ByteArrayOutputStream();
    h.write((fin ? 0x80 : 0) | opcode);
    int maskBit = masked ? 0x80 : 0;
    if (length < 126) {
      h.write(maskBit | (int) length);
    } else if (length <= 0xffff) {
      h.write(maskBit | 126);
      h.write((int) (length >>> 8));
      h.write((int) length);
    } else {
      h.write(maskBit | 127);
      for (int i = 7; i >= 0; i--) {
        h.write((int) (length >>> (8 * i)));
      }
    }
    if (masked) {
      h.writeBytes(new byte[4]);
    }
    return h.toByteArray();
  }

  /** The next frame from the server; throws on end of stream or after the socket's timeout. */
  public Frame readFrame() throws IOException {
    int b0 = in.readUnsignedByte();
    int b1 = in.readUnsignedByte();
    long length = b1 & 0x7f;
    if (length == 126) {
      length = in.readUnsignedShort();
    } else if (length == 127) {
      length = in.readLong();
    }
    if ((b1 & 0x80) != 0) {
      in.readInt(); // a server never masks, but read it if it does
    }
    byte[] payload = new byte[(int) length];
    in.readFully(payload);
    return new Frame(b0 & 0x0f, (b0 & 0x80) != 0, payload);
  }

  /**
   * Reads frames until the server's close frame and returns it, collecting text frames before it
   * into {@code texts} (may be null). Returns null if the connection ends without a close frame.
   */
  public Frame readUntilClose(java.util.List<String> texts, Duration wait) throws IOException {
    socket.setSoTimeout((int) wait.toMillis());
    try {
      while (true) {
        Frame f = readFrame();
        if (f.opcode() == CLOSE) {
          return f;
        }
        if (f.opcode() == TEXT && texts != null) {
          texts.add(f.text());
        }
      }
    } catch (EOFException | java.net.SocketException e) {
      return null;
    }
  }

  /** Whether the server has closed the connection (end of stream within {@code wait}). */
  public boolean closedByServer(Duration wait) {
    try {
      socket.setSoTimeout((int) wait.toMillis());
      InputStream s = socket.getInputStream();
      byte[] buf = new byte[65536];
      while (s.read(buf) >= 0) {
        // drain whatever is still in flight
      }
      return true;
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true; // reset
    }
  }

  public Socket socket() {
    return socket;
  }

  @Override
  public void close() {
    try {
      socket.close();
    } catch (IOException e) {
      // already gone
    }
  }
}
