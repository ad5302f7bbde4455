package org.pentecost.protocol;

/**
 * Names on the WebSocket: the {@code action} of client messages and the {@code type} of server
 * messages (both JSON text frames), and the connection's query parameters. docs/protocol.md
 * describes each with an example.
 */
public final class Messages {
  private Messages() {}

  /** The one WebSocket endpoint. */
  public static final String PATH = "/ws";

  // Query parameters of the upgrade request.
  public static final String Q_SESSION_ID = "sessionId";
  public static final String Q_ROLE = "role";
  public static final String Q_TARGET_LANGUAGE = "targetLanguage";
  public static final String Q_TOKEN = "token";
  public static final String Q_ACTION = "action";
  public static final String Q_PREVIOUS_CONNECTION_ID = "previousConnectionId";
  public static final String Q_LAST_SEQ = "lastSeq";
  public static final String Q_FALLBACK = "fallback";

  /**
   * A listener's {@code audio=none}: captions only, no audio frames are sent to it (it still counts
   * as a listener of its language and receives every control message and caption).
   */
  public static final String Q_AUDIO = "audio";

  /** The value of {@link #Q_AUDIO} for a captions-only listener. */
  public static final String Q_AUDIO_NONE = "none";

  // Roles.
  public static final String ROLE_SPEAKER = "speaker";
  public static final String ROLE_LISTENER = "listener";
  public static final String ROLE_WORKER = "worker";

  // Client actions (field "action").
  public static final String HEARTBEAT = "heartbeat";
  public static final String REFRESH_CONNECTION = "refreshConnection";
  public static final String SWITCH_LANGUAGE = "switchLanguage";
  public static final String GET_SESSION_STATUS = "getSessionStatus";
  public static final String PUBLISH_CAPTION = "publishCaption";

  // Server messages (field "type").
  public static final String SESSION_JOINED = "sessionJoined";
  public static final String HEARTBEAT_ACK = "heartbeatAck";
  public static final String CONNECTION_REFRESH_REQUIRED = "connectionRefreshRequired";
  public static final String CONNECTION_WARNING = "connectionWarning";
  public static final String CONNECTION_REFRESH_COMPLETE = "connectionRefreshComplete";
  public static final String LISTENER_STATS = "listenerStats";
  public static final String SESSION_STATUS = "sessionStatus";
  public static final String LANGUAGE_SWITCHED = "languageSwitched";
  public static final String SESSION_PAUSED = "sessionPaused";
  public static final String SESSION_RESUMED = "sessionResumed";
  public static final String SPEAKER_DISCONNECTED = "speakerDisconnected";
  public static final String SPEAKER_RECONNECTED = "speakerReconnected";
  public static final String SESSION_ENDED = "sessionEnded";
  public static final String CAPTION = "caption";
  public static final String STREAM_STARTED = "streamStarted";
  public static final String STREAM_STOPPED = "streamStopped";
  public static final String LIVE_LANGUAGES_CHANGED = "liveLanguagesChanged";
  public static final String CONTINUITY_LOST = "continuityLost";
  public static final String ERROR = "error";
}
