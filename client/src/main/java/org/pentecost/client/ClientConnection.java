package org.pentecost.client;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.pentecost.protocol.AudioFrame;
import org.pentecost.protocol.Messages;

/**
 * The {@link Connection}: one logical connection over a succession of WebSockets. At most three
 * exist at once: {@code active} (joined, in use), {@code pending} (opened for the first join, a
 * refresh or a reconnect, not joined yet) and {@code draining} (replaced by a refresh, closing).
 * Everything but the volatile fields is confined to {@code context}; the user's {@link Listener} is
 * called there too. The control flow lives in {@link Lifecycle}.
 */
final class ClientConnection implements Connection {
  static final int ABNORMAL_CLOSE = 1006;
  static final String HEARTBEAT = new JsonObject().put("action", Messages.HEARTBEAT).encode();

  final Vertx vertx;
  final Context context;
  final PentecostClient.Settings settings;
  final Listener listener;
  final FrameFilter filter = new FrameFilter();
  final Promise<Connection> joined = Promise.promise();
  final Promise<Void> closed = Promise.promise();
  private final WebSocketClient client;
  private final boolean ownsClient;
  private final Lifecycle lifecycle;

  /** The current query: switchLanguage changes its targetLanguage. */
  ConnectQuery query;

  Socket active;
  Socket pending;
  Socket draining;

  /** The id a refresh or reconnect names as previousConnectionId. */
  String lastConnectionId;

  /** After a refresh or reconnect: drop replays until a fresh frame arrives on the active one. */
  boolean resuming;

  /** close() was called. */
  boolean closing;

  /** The end: onClosed(..., false) was called or the first join failed. */
  boolean finished;

  // Read from any thread.
  private volatile ClientWebSocket current;
  private volatile String currentId;
  private volatile long lastSeq;

  ClientConnection(
      Vertx vertx,
      Context context,
      WebSocketClient client,
      boolean ownsClient,
      PentecostClient.Settings settings) {
    this.vertx = vertx;
    this.context = context;
    this.client = client;
    this.ownsClient = ownsClient;
    this.settings = settings;
    this.listener = settings.listener();
    this.query = settings.query();
    this.lifecycle = new Lifecycle(this);
  }

  Future<Connection> start() {
    context.runOnContext(v -> pending = open(Socket.Kind.INITIAL));
    return joined.future();
  }

  // ---- the public surface (any thread) ----

  @Override
  public String connectionId() {
    return currentId;
  }

  @Override
  public long lastSequence() {
    return lastSeq;
  }

  @Override
  public Future<Void> send(JsonObject action) {
    ClientWebSocket ws = current;
    return ws == null ? notConnected() : ws.writeTextMessage(action.encode());
  }

  @Override
  public Future<Void> sendAudio(Buffer payload) {
    ClientWebSocket ws = current;
    return ws == null ? notConnected() : ws.writeBinaryMessage(payload);
  }

  @Override
  public boolean writeQueueFull() {
    ClientWebSocket ws = current;
    return ws == null || ws.writeQueueFull();
  }

  @Override
  public Future<Void> switchLanguage(String targetLanguage) {
    return send(
        new JsonObject()
            .put("action", Messages.SWITCH_LANGUAGE)
            .put(Messages.Q_TARGET_LANGUAGE, targetLanguage));
  }

  @Override
  public Future<String> refresh() {
    Promise<String> p = Promise.promise();
    context.runOnContext(v -> lifecycle.refresh(p));
    return p.future();
  }

  @Override
  public Future<Void> close() {
    context.runOnContext(v -> lifecycle.close());
    return closed.future();
  }

  private static <T> Future<T> notConnected() {
    return Future.failedFuture(new IllegalStateException("not connected"));
  }

  // ---- WebSockets (on the context) ----

  /** Opens a WebSocket: a refresh or reconnect names the last connection and resumes audio. */
  Socket open(Socket.Kind kind) {
    String uri =
        kind == Socket.Kind.INITIAL ? query.uri() : query.uri(lastConnectionId, filter.lastSeq());
    ClientWebSocket ws = client.webSocket();
    Socket s = new Socket(ws, kind);
    ws.textMessageHandler(text -> onText(s, text));
    ws.binaryMessageHandler(frame -> onBinary(s, frame));
    ws.closeHandler(v -> gone(s, closeCode(ws), ws.closeReason(), null));
    ws.exceptionHandler(e -> {});
    WebSocketConnectOptions options =
        new WebSocketConnectOptions()
            .setHost(settings.host())
            .setPort(settings.port())
            .setSsl(settings.tls())
            .setURI(uri)
            .setConnectTimeout(settings.connectTimeoutMillis())
            .setTimeout(settings.connectTimeoutMillis());
    ws.connect(options)
        .onComplete(
            ar -> {
              if (ar.failed()) {
                gone(s, ABNORMAL_CLOSE, ar.cause().getMessage(), ar.cause());
              } else if (s.gone) {
                s.close((short) 1000, "no longer needed"); // given up while it was connecting
              }
            });
    s.startJoinTimer(
        vertx,
        settings.connectTimeoutMillis(),
        () -> {
          if (!s.joined() && !s.gone) {
            s.close((short) 1000, "no sessionJoined");
            gone(
                s,
                ABNORMAL_CLOSE,
                "no sessionJoined",
                new TimeoutException(
                    "no sessionJoined within " + settings.connectTimeoutMillis() + " ms"));
          }
        });
    return s;
  }

  private static int closeCode(ClientWebSocket ws) {
    Short code = ws.closeStatusCode();
    return code == null ? ABNORMAL_CLOSE : code;
  }

  private void onText(Socket s, String text) {
    if (s.gone || finished || s == draining) {
      return; // a replaced connection's news is the new one's too
    }
    JsonObject msg;
    String type;
    try {
      msg = new JsonObject(text);
      type = msg.getString("type", "");
    } catch (RuntimeException e) {
      return;
    }
    if (Messages.ERROR.equals(type)) {
      s.error = msg;
      lifecycle.retryAfter(msg.getValue("retryAfterMs"));
      Lifecycle.safe(() -> listener.onError(msg));
    }
    if (s == pending) {
      if (Messages.SESSION_JOINED.equals(type)) {
        s.cancelJoinTimer(vertx);
        s.id = msg.getString("connectionId");
        Object every = msg.getValue("heartbeatIntervalMs");
        long interval = every instanceof Number n ? Math.max(1_000, n.longValue()) : 30_000;
        s.startHeartbeat(vertx, interval, HEARTBEAT);
        lifecycle.joined(s, msg);
      }
      return;
    }
    if (s == active) {
      lifecycle.message(type, msg);
      Lifecycle.safe(() -> listener.onMessage(msg));
    }
  }

  private void onBinary(Socket s, Buffer frame) {
    boolean fromDraining = s == draining;
    if (finished || (s != active && !fromDraining)) {
      return;
    }
    AudioFrame.Header header = filter.read(frame);
    if (header == null || !filter.accept(header, fromDraining || resuming)) {
      return;
    }
    if (!fromDraining && draining == null) {
      resuming = false;
    }
    lastSeq = header.sequence();
    Buffer payload = frame.slice(AudioFrame.HEADER_BYTES, frame.length());
    Lifecycle.safe(() -> listener.onAudio(header, payload));
  }

  /** A WebSocket closed or failed to open; each is handled once. */
  void gone(Socket s, int code, String reason, Throwable cause) {
    if (s.gone) {
      return;
    }
    s.gone = true;
    s.cancelTimers(vertx);
    if (finished) {
      return;
    }
    if (s == draining) {
      draining = null;
    } else if (s == pending) {
      pending = null;
      lifecycle.pendingFailed(s, code, reason, cause);
    } else if (s == active) {
      active = null;
      current = null;
      lifecycle.activeLost(code, reason);
    }
  }

  /** {@code s} joined and is now the one in use. */
  void activate(Socket s) {
    active = s;
    current = s.ws;
    currentId = s.id;
    lastConnectionId = s.id;
  }

  /** Languages changed: sequence numbers now count another stream. */
  void languageSwitched(String language) {
    if (language != null) {
      query = query.withTargetLanguage(language);
    }
    filter.reset();
    lastSeq = 0;
    resuming = false;
  }

  /** Closes whatever is open, then releases the client; the end of this connection. */
  void release() {
    finished = true;
    current = null;
    List<Future<Void>> closing = new ArrayList<>();
    for (Socket s : new Socket[] {pending, draining, active}) {
      if (s != null) {
        s.gone = true; // one still connecting closes itself when it gets there
        s.cancelTimers(vertx);
        closing.add(s.close((short) 1000, "closed by the client"));
      }
    }
    pending = null;
    draining = null;
    active = null;
    joined.tryFail(new IllegalStateException("closed before joining"));
    // Let the close frames go out before the client goes, but do not wait on a silent server.
    Future.join(closing)
        .timeout(2, TimeUnit.SECONDS)
        .otherwiseEmpty()
        .compose(v -> ownsClient ? client.close() : Future.<Void>succeededFuture())
        .onComplete(ar -> closed.tryComplete());
  }
}
