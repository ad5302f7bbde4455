package org.pentecost.bench;

import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Options of {@code fanout}. Not {@link CommonOptions}: here {@code --rate} is audio frames per
 * second and {@code --warmup} a duration.
 */
final class FanoutOptions {

  @Option(
      names = "--url",
      required = true,
      paramLabel = "URL",
      description = "Server base URL, e.g. http://127.0.0.1:8080 (only 127.0.0.0/8 is accepted).")
  String url;

  @Option(
      names = "--listener-url",
      paramLabel = "URL",
      description =
          "Base URL the listeners connect to; repeat it to spread them round-robin over several"
              + " nodes of one service (each session's listeners evenly). Sessions and speakers"
              + " stay on --url. Default: --url. Only 127.0.0.0/8 is accepted.")
  List<String> listenerUrls;

  @Option(
      names = "--token",
      paramLabel = "JWT",
      defaultValue = "${env:PENTECOST_BENCH_TOKEN}",
      description =
          "Speaker token: creates the sessions and speaks in them (default:"
              + " $PENTECOST_BENCH_TOKEN).")
  String token;

  @Option(
      names = "--sessions",
      defaultValue = "1",
      paramLabel = "N",
      description = "Sessions, one speaker each (default: ${DEFAULT-VALUE}).")
  int sessions;

  @Option(
      names = "--listeners-per-session",
      defaultValue = "100",
      paramLabel = "M",
      description = "Listener WebSockets per session (default: ${DEFAULT-VALUE}).")
  int listenersPerSession;

  @Option(
      names = "--frame-bytes",
      defaultValue = "160",
      paramLabel = "B",
      description = "Audio payload per frame, 8 to 32768 bytes (default: ${DEFAULT-VALUE}).")
  int frameBytes;

  @Option(
      names = "--rate",
      defaultValue = "50",
      paramLabel = "R",
      converter = CommonOptions.RateConverter.class,
      description = "Frames per second each speaker sends (default: ${DEFAULT-VALUE}).")
  double rate;

  @Option(
      names = "--frame-ms",
      paramLabel = "MS",
      description =
          "frameMs the speakers declare (the audio duration of one frame). Default: 1000 / rate,"
              + " so that the server's audio clock matches the wall clock.")
  Integer frameMs;

  @Option(
      names = "--duration",
      defaultValue = "30s",
      paramLabel = "DURATION",
      converter = CommonOptions.DurationConverter.class,
      description = "Measured sending time (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(
      names = "--warmup",
      defaultValue = "5s",
      paramLabel = "DURATION",
      converter = CommonOptions.DurationConverter.class,
      description = "Sending before measuring, so both JVMs are warm (default: ${DEFAULT-VALUE}).")
  Duration warmup;

  @Option(
      names = "--languages",
      defaultValue = "en",
      paramLabel = "LANGS",
      split = ",",
      description =
          "Target languages of a session's listeners, round-robin (default: ${DEFAULT-VALUE});"
              + " others than --source-language ask for fallback=source.")
  List<String> languages;

  @Option(
      names = "--source-language",
      defaultValue = "en",
      paramLabel = "LANG",
      description = "sourceLanguage of the sessions (default: ${DEFAULT-VALUE}).")
  String sourceLanguage;

  @Option(
      names = "--concurrency",
      defaultValue = "256",
      paramLabel = "C",
      description = "Most listener handshakes in flight at once (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--source-addresses",
      paramLabel = "ADDRS|N",
      description =
          "Local addresses the listeners bind, round-robin: a list (127.0.0.1,127.0.0.2) or a"
              + " count (4 = 127.0.0.1..127.0.0.4). Default: the kernel's choice.")
  String sourceAddresses;

  @Option(
      names = "--event-loops",
      defaultValue = "2",
      paramLabel = "N",
      description = "Event loops of the generator, 1 or 2 (default: ${DEFAULT-VALUE}).")
  int eventLoops;

  @Option(
      names = "--connect-timeout",
      defaultValue = "30s",
      paramLabel = "DURATION",
      converter = CommonOptions.DurationConverter.class,
      description = "Limit for one connect and its sessionJoined (default: ${DEFAULT-VALUE}).")
  Duration connectTimeout;

  @Option(
      names = "--server-pid",
      paramLabel = "PID",
      description = "Server process to measure (same machine): CPU while measuring, RSS.")
  Long serverPid;

  @Option(
      names = "--timeout",
      defaultValue = "120s",
      paramLabel = "DURATION",
      converter = CommonOptions.DurationConverter.class,
      description =
          "Limit for the setup (sessions, speakers, listeners); the run as a whole stops by itself"
              + " after timeout + warmup + duration + 30 s (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  /** Checks what picocli cannot; returns the parsed pieces. */
  CommonOptions.Validated validate() {
    Target target = Target.parse(url);
    listenerTargets(target);
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("--token (or $PENTECOST_BENCH_TOKEN) is required");
    }
    if (sessions < 1 || sessions > 10_000) {
      throw new IllegalArgumentException("--sessions must be between 1 and 10,000");
    }
    if (listenersPerSession < 1) {
      throw new IllegalArgumentException("--listeners-per-session must be at least 1");
    }
    if ((long) sessions * listenersPerSession > 1_000_000L) {
      throw new IllegalArgumentException("at most 1,000,000 listeners per run");
    }
    if (frameBytes < 8 || frameBytes > 32 * 1024) {
      throw new IllegalArgumentException("--frame-bytes must be between 8 and 32768");
    }
    if (!(rate > 0) || rate > 10_000) {
      throw new IllegalArgumentException("--rate must be above 0 and at most 10,000 frames/s");
    }
    if (frameMs != null && frameMs < 1) {
      throw new IllegalArgumentException("--frame-ms must be at least 1");
    }
    if (duration.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("--duration must be at least 1s");
    }
    if (warmup.isNegative()) {
      throw new IllegalArgumentException("--warmup must not be negative");
    }
    if (languages == null || languages.isEmpty()) {
      throw new IllegalArgumentException("--languages needs at least one language");
    }
    if (concurrency < 1) {
      throw new IllegalArgumentException("--concurrency must be at least 1");
    }
    if (eventLoops < 1 || eventLoops > 2) {
      throw new IllegalArgumentException("--event-loops must be 1 or 2");
    }
    if (timeout.isZero() || timeout.isNegative() || connectTimeout.isNegative()) {
      throw new IllegalArgumentException("--timeout and --connect-timeout must be positive");
    }
    if (serverPid != null && serverPid <= 0) {
      throw new IllegalArgumentException("--server-pid must be a process id");
    }
    return new CommonOptions.Validated(target, SourceAddresses.parse(sourceAddresses));
  }

  /**
   * Where the listeners connect: each {@code --listener-url} in order (each checked like {@code
   * --url}), or {@code main} alone when there is none.
   */
  List<Target> listenerTargets(Target main) {
    if (listenerUrls == null || listenerUrls.isEmpty()) {
      return List.of(main);
    }
    if (listenerUrls.size() > 64) {
      throw new IllegalArgumentException("at most 64 --listener-url");
    }
    List<Target> targets = new java.util.ArrayList<>();
    for (String u : listenerUrls) {
      targets.add(Target.parse(u));
    }
    return List.copyOf(targets);
  }

  /**
   * The listener target of the run's {@code i}-th listener: round-robin over {@code targets} within
   * each of the generator's {@code eventLoops} (listener i is on loop i mod loops), so that every
   * loop holds the same share of every target, and each session's listeners are split evenly.
   */
  static int targetOf(int listenerIndex, int targets, int eventLoops) {
    return (listenerIndex / eventLoops) % targets;
  }

  /** The frameMs the speakers declare. */
  int effectiveFrameMs() {
    return frameMs != null ? frameMs : (int) Math.max(1, Math.round(1000 / rate));
  }
}
