package org.pentecost.server.broadcast;

import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.server.error.ApiException;

/**
 * How a publisher's frames are encoded, declared in its connection query and announced to
 * listeners. The duration of each frame is what the replay window and the slow-listener limit are
 * measured in.
 */
public record AudioFormat(String codec, int sampleRate, int channels, int frameMs) {
  public static final AudioFormat DEFAULT = new AudioFormat("pcm16", 16_000, 1, 20);

  public static AudioFormat fromQuery(Map<String, List<String>> query) {
    String codec = first(query, "codec", DEFAULT.codec);
    if (!codec.equals("pcm16") && !codec.equals("opus")) {
      throw new ApiException(ErrorCode.INVALID_REQUEST, "codec must be pcm16 or opus");
    }
    int rate = number(query, "sampleRate", DEFAULT.sampleRate, 8_000, 48_000);
    int channels = number(query, "channels", DEFAULT.channels, 1, 2);
    int frameMs = number(query, "frameMs", DEFAULT.frameMs, 2, 120);
    return new AudioFormat(codec, rate, channels, frameMs);
  }

  /** Microseconds of audio in a payload of {@code bytes}. */
  public long durationMicros(int bytes) {
    if (codec.equals("pcm16")) {
      return bytes * 1_000_000L / (2L * channels * sampleRate);
    }
    return frameMs * 1000L;
  }

  public static AudioFormat fromJson(JsonObject j) {
    return new AudioFormat(
        j.getString("codec", DEFAULT.codec()),
        j.getInteger("sampleRate", DEFAULT.sampleRate()),
        j.getInteger("channels", DEFAULT.channels()),
        j.getInteger("frameMs", DEFAULT.frameMs()));
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("codec", codec)
        .put("sampleRate", sampleRate)
        .put("channels", channels)
        .put("frameMs", frameMs);
  }

  private static String first(Map<String, List<String>> query, String name, String fallback) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? fallback : values.get(0);
  }

  private static int number(
      Map<String, List<String>> query, String name, int fallback, int min, int max) {
    String text = first(query, name, null);
    if (text == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(text);
      if (n >= min && n <= max) {
        return n;
      }
    } catch (NumberFormatException e) {
      // answered below
    }
    throw new ApiException(
        ErrorCode.INVALID_REQUEST, name + " must be a number from " + min + " to " + max);
  }
}
