package org.pentecost.server.console;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.pentecost.server.testing.WsClient;

/**
 * A speaker connection that talks in real time on a thread of its own: a continuous 440 Hz PCM16
 * tone ({@link ConsoleSteps#pcmTone}), one 20 ms frame every 20 ms (on schedule, catching up after
 * a stall), until closed. Every sample but the zero crossings is non-zero, so a listener's first
 * sound is the first frame it plays.
 */
final class ToneSpeaker implements AutoCloseable {
  private final WsClient client;
  private final AtomicInteger sent = new AtomicInteger();
  private final AtomicBoolean talking = new AtomicBoolean(true);
  private final Thread thread;

  private ToneSpeaker(WsClient client) {
    this.client = client;
    this.thread = new Thread(this::run, "tone-speaker");
    this.thread.setDaemon(true);
  }

  /** Starts talking on {@code client}, a speaker that has joined with codec pcm16 at 16 kHz. */
  static ToneSpeaker start(WsClient client) {
    ToneSpeaker s = new ToneSpeaker(client);
    s.thread.start();
    return s;
  }

  WsClient client() {
    return client;
  }

  int sent() {
    return sent.get();
  }

  /** Stops sending frames, the connection staying open (a speaker who goes quiet), or goes on. */
  void talk(boolean on) {
    talking.set(on);
  }

  private void run() {
    long next = System.nanoTime();
    try {
      while (!Thread.currentThread().isInterrupted()) {
        if (talking.get()) {
          client.sendBinary(ConsoleSteps.pcmTone(sent.getAndIncrement(), 440));
        }
        next += 20_000_000L;
        long wait = next - System.nanoTime();
        if (wait > 0) {
          Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
        }
      }
    } catch (InterruptedException e) {
      // closed
    } catch (RuntimeException e) {
      // the connection failed: the test sees the stream stop
    }
  }

  @Override
  public void close() {
    thread.interrupt();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    client.close();
  }
}
