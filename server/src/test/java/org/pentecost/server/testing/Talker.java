package org.pentecost.server.testing;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Lock;
import java.util.function.Supplier;

/**
 * A speaker talking on a thread of its own while a test does something else: frame {@code n} is
 * {@link AudioFrames#pcm pcm(n)}, one every 10 ms, from 1 until {@code frames} are sent or {@link
 * #stop} is called. If a send fails the speaker stops, and {@link #failed} says so.
 */
public final class Talker {
  private final AtomicInteger sent = new AtomicInteger();
  private final AtomicBoolean failed = new AtomicBoolean();
  private final AtomicBoolean talking = new AtomicBoolean(true);
  private final Thread thread;

  private Talker(Supplier<WsClient> speaker, int frames, Lock microphone) {
    thread =
        new Thread(
            () -> {
              try {
                for (int n = 1; n <= frames && talking.get(); n++) {
                  if (microphone != null) {
                    microphone.lock();
                  }
                  try {
                    speaker.get().sendBinary(AudioFrames.pcm(n));
                  } finally {
                    if (microphone != null) {
                      microphone.unlock();
                    }
                  }
                  sent.set(n);
                  Thread.sleep(10);
                }
              } catch (Exception e) {
                failed.set(true);
              }
            },
            "speaker");
  }

  /** Sends {@code frames} frames on {@code speaker}. */
  public static Talker start(WsClient speaker, int frames) {
    return start(() -> speaker, frames, null);
  }

  /** Talks until {@link #stop}. */
  public static Talker untilStopped(WsClient speaker) {
    return start(() -> speaker, Integer.MAX_VALUE, null);
  }

  /**
   * Sends {@code frames} frames, each on the connection {@code speaker} gives at that moment (a
   * speaker that moves to a new connection), holding {@code microphone} while it sends: a test that
   * holds it keeps the speaker quiet while the speaker moves.
   */
  public static Talker start(Supplier<WsClient> speaker, int frames, Lock microphone) {
    Talker t = new Talker(speaker, frames, microphone);
    t.thread.start();
    return t;
  }

  /** The marker of the last frame sent: how many were sent. */
  public int sent() {
    return sent.get();
  }

  /** Whether a send failed (the speaker then stopped). */
  public boolean failed() {
    return failed.get();
  }

  /** Stops after the frame being sent. */
  public void stop() {
    talking.set(false);
  }

  /** Waits up to {@code millis} for the speaker to have finished. */
  public void join(long millis) throws InterruptedException {
    thread.join(millis);
  }
}
