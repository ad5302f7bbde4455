package org.pentecost.server.backend;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The webhook events waiting for one URL: a bounded queue (the oldest is dropped past it), at most
 * {@link #MAX_IN_FLIGHT} events at the URL at once, and each one tried up to {@code attempts} times
 * with backoff (1 s, doubling, up to 60 s). An event waiting for its next attempt keeps its place
 * among those in flight, so a backend that is down slows the lane down instead of being hammered,
 * and the queue behind it fills and sheds its oldest events. Everything but {@link #offer} runs on
 * the {@link BackendCaller}'s event loop.
 */
final class WebhookLane {
  /** Events at one URL at once (sent, or waiting to be sent again). */
  static final int MAX_IN_FLIGHT = 4;

  static final long FIRST_BACKOFF_MS = 1_000;
  static final long MAX_BACKOFF_MS = 60_000;

  private final String url;
  private final BackendCaller caller;
  private final int capacity;
  private final int attempts;
  private final WebhookMeters meters;
  private final ArrayDeque<WebhookEvent> queue = new ArrayDeque<>();
  private int inFlight;
  private boolean pumpQueued;
  private volatile boolean closing;
  private volatile boolean abandoned;

  WebhookLane(String url, BackendCaller caller, int capacity, int attempts, WebhookMeters meters) {
    this.url = url;
    this.caller = caller;
    this.capacity = capacity;
    this.attempts = attempts;
    this.meters = meters;
  }

  /** Queues {@code event}, dropping the oldest waiting one when full; from any thread. */
  void offer(WebhookEvent event) {
    boolean schedule;
    synchronized (this) {
      if (queue.size() >= capacity) {
        queue.pollFirst();
        meters.dropped("queue_full");
      }
      queue.addLast(event);
      schedule = !pumpQueued && inFlight < MAX_IN_FLIGHT;
      pumpQueued |= schedule;
    }
    if (schedule) {
      caller.later(0, this::pump);
    }
  }

  /** Events queued or in flight. */
  synchronized int pending() {
    return queue.size() + inFlight;
  }

  /** Stops retrying: an attempt that fails from now on is the event's last. */
  void closing() {
    closing = true;
  }

  /** Forgets what is still queued (the node stops); returns how many. */
  synchronized int abandon() {
    int n = queue.size() + inFlight;
    queue.clear();
    abandoned = true;
    return n;
  }

  private void pump() {
    List<WebhookEvent> next = new ArrayList<>();
    synchronized (this) {
      pumpQueued = false;
      while (inFlight < MAX_IN_FLIGHT && !queue.isEmpty()) {
        next.add(queue.pollFirst());
        inFlight++;
      }
    }
    next.forEach(e -> attempt(e, 1));
  }

  private void attempt(WebhookEvent event, int attempt) {
    caller
        .post(url, "webhook", event.body())
        .onComplete(
            ar -> {
              if (abandoned) {
                return; // counted as dropped when the node stopped
              }
              if (ar.succeeded() && ar.result().ok()) {
                meters.delivered();
                done();
              } else if (attempt >= attempts || closing) {
                meters.failed();
                done();
              } else {
                meters.retried();
                caller.later(backoff(attempt), () -> attempt(event, attempt + 1));
              }
            });
  }

  private void done() {
    synchronized (this) {
      inFlight--;
    }
    pump();
  }

  /** The wait after failed attempt {@code n} (1-based): 1 s, 2 s, 4 s ... at most 60 s. */
  static long backoff(int n) {
    return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS << Math.min(n - 1, 16));
  }
}
