package org.pentecost.server.ws;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.pentecost.server.broadcast.AudioFormat;
import org.pentecost.server.broadcast.AudioStream;
import org.pentecost.server.session.Session;

/**
 * The connections of one session on this node: its speaker, and its listeners grouped by language
 * so that a message or a frame can be handed to a whole language at once. All membership is guarded
 * by {@code this}.
 */
final class SessionRoom {
  final String sessionId;

  private Connection speaker;
  private final Map<String, Set<Connection>> listeners = new HashMap<>();

  /** Timer that ends the session if the speaker does not come back; -1 when none. */
  private long graceTimer = -1;

  /** The speaker dropped and listeners were told; cleared when a speaker connects again. */
  private boolean speakerAway;

  /** Streams by language; they live as long as the room, so sequence numbers continue. */
  private final Map<String, AudioStream> streams = new HashMap<>();

  /** Workers, by the language they publish. */
  private final Map<String, Connection> workers = new HashMap<>();

  /** The session's source language, as of the latest join. */
  volatile String sourceLanguage;

  /** The session has ended: closes now are its doing, not a speaker's drop. */
  volatile boolean ended;

  /** While paused, published frames are dropped. */
  volatile boolean paused;

  /** Joins in progress that keep the room (and its streams) while they read a shared window. */
  int holds;

  /** Counts changed since the last listenerStats; read and cleared by the stats tick. */
  volatile boolean statsDirty;

  /** What the speaker was last told; the stats tick's own state. */
  Map<String, Integer> lastStats = Map.of();

  /** The newest record of the session that passed through this node (to write back if lost). */
  private final AtomicReference<Session> record = new AtomicReference<>();

  SessionRoom(String sessionId) {
    this.sessionId = sessionId;
  }

  /** Keeps {@code s} if it is a newer version of this room's session (or the first one seen). */
  void keepRecord(Session s) {
    record.accumulateAndGet(
        s,
        (kept, seen) ->
            kept == null || (seen.sameSessionAs(kept) && seen.version() > kept.version())
                ? seen
                : kept);
  }

  /** The newest record kept, or null before the first join. */
  Session record() {
    return record.get();
  }

  synchronized Connection speaker() {
    return speaker;
  }

  /**
   * Makes {@code next} the speaker and returns the one it replaces (or null). Cancels a pending
   * grace timer; {@code wasAway} tells whether listeners had been told the speaker was gone.
   */
  synchronized SpeakerChange setSpeaker(Connection next) {
    Connection previous = speaker;
    speaker = next;
    boolean wasAway = speakerAway;
    speakerAway = false;
    long timer = graceTimer;
    graceTimer = -1;
    return new SpeakerChange(previous, wasAway, timer);
  }

  /**
   * Clears the speaker if it is still {@code leaving}; true if it was (a real drop). {@code
   * waitedFor}: its grace period starts (the room stays while it runs); false when the session has
   * ended or the node stops, and nothing keeps the room once its connections are gone.
   */
  synchronized boolean speakerLeft(Connection leaving, boolean waitedFor) {
    if (speaker != leaving) {
      return false;
    }
    speaker = null;
    speakerAway = waitedFor;
    return true;
  }

  /** The speaker connected on another node: {@code c} no longer speaks, and that is no drop. */
  synchronized boolean speakerMoved(Connection c) {
    if (speaker != c) {
      return false;
    }
    speaker = null;
    return true;
  }

  /**
   * The speaker came back on another node: stops waiting for it here. Returns the grace timer to
   * cancel (-1 if none) and whether listeners here had been told it was gone.
   */
  synchronized SpeakerChange speakerBackElsewhere() {
    boolean wasAway = speakerAway;
    speakerAway = false;
    long timer = graceTimer;
    graceTimer = -1;
    return new SpeakerChange(null, wasAway, timer);
  }

  synchronized void graceTimer(long id) {
    graceTimer = id;
  }

  /** True if still waiting for the speaker (no one came back); clears the timer either way. */
  synchronized boolean graceExpired() {
    graceTimer = -1;
    return speaker == null && speakerAway;
  }

  synchronized boolean isSpeakerConnected() {
    return speaker != null;
  }

  synchronized void addListener(Connection c) {
    listeners.computeIfAbsent(c.language, k -> new LinkedHashSet<>()).add(c);
  }

  synchronized void removeListener(Connection c) {
    Set<Connection> group = listeners.get(c.language);
    if (group != null && group.remove(c) && group.isEmpty()) {
      listeners.remove(c.language);
    }
  }

  /** Moves a listener between language groups, setting its language under the same lock. */
  synchronized void moveListener(Connection c, String to) {
    removeListener(c);
    c.language = to;
    addListener(c);
  }

  /** Everyone in the room, speaker first. */
  synchronized List<Connection> all() {
    List<Connection> all = new ArrayList<>();
    if (speaker != null) {
      all.add(speaker);
    }
    all.addAll(workers.values());
    listeners.values().forEach(all::addAll);
    return all;
  }

  synchronized List<Connection> listeners() {
    List<Connection> all = new ArrayList<>();
    listeners.values().forEach(all::addAll);
    return all;
  }

  synchronized AudioStream stream(String language, long windowMicros) {
    return streams.computeIfAbsent(language, l -> new AudioStream(l, windowMicros));
  }

  /** The streams with a publisher connected here: language and format. */
  synchronized Map<String, AudioFormat> publishedHere() {
    Map<String, AudioFormat> out = new HashMap<>();
    streams.forEach(
        (language, s) -> {
          AudioFormat f = s.format();
          if (f != null) {
            out.put(language, f);
          }
        });
    return out;
  }

  synchronized AudioStream existingStream(String language) {
    return streams.get(language);
  }

  /** Makes {@code c} the worker of its language; returns the one it replaces, or null. */
  synchronized Connection setWorker(Connection c) {
    return workers.put(c.language, c);
  }

  synchronized boolean workerLeft(Connection c) {
    return workers.remove(c.language, c);
  }

  synchronized List<Connection> workers() {
    return new ArrayList<>(workers.values());
  }

  /** Listeners whose target is {@code language}. */
  synchronized List<Connection> listenersOf(String language) {
    Set<Connection> group = listeners.get(language);
    return group == null ? List.of() : new ArrayList<>(group);
  }

  synchronized boolean isEmpty() {
    return speaker == null
        && listeners.isEmpty()
        && workers.isEmpty()
        && graceTimer < 0
        && !speakerAway
        && holds == 0;
  }

  /** What {@link #setSpeaker} replaced. */
  record SpeakerChange(Connection previous, boolean wasAway, long cancelledTimer) {}
}
