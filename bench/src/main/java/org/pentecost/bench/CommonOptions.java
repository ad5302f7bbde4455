package org.pentecost.bench;

import java.time.Duration;
import java.util.List;
import picocli.CommandLine.Option;

/** Options every subcommand shares: the target, the listeners to open and how fast. */
final class CommonOptions {

  @Option(
      names = "--url",
      required = true,
      paramLabel = "URL",
      description = "Server base URL, e.g. http://127.0.0.1:8080 (only 127.0.0.0/8 is accepted).")
  String url;

  @Option(
      names = "--token",
      paramLabel = "JWT",
      defaultValue = "${env:PENTECOST_BENCH_TOKEN}",
      description =
          "Speaker token used to create the sessions (default: $PENTECOST_BENCH_TOKEN). Mint one"
              + " with: java -jar server/target/pentecost.jar token --user bench --data-dir DIR")
  String token;

  @Option(
      names = "--sessions",
      defaultValue = "1",
      paramLabel = "S",
      description = "Sessions to create (default: ${DEFAULT-VALUE}).")
  int sessions;

  @Option(
      names = "--listeners-per-session",
      defaultValue = "500",
      paramLabel = "L",
      description = "Listener WebSockets per session (default: ${DEFAULT-VALUE}).")
  int listenersPerSession;

  @Option(
      names = "--languages",
      defaultValue = "es",
      paramLabel = "LANGS",
      split = ",",
      description =
          "Target languages the listeners of a session are spread over, round-robin"
              + " (default: ${DEFAULT-VALUE}).")
  List<String> languages;

  @Option(
      names = "--source-language",
      defaultValue = "en",
      paramLabel = "LANG",
      description = "sourceLanguage of the created sessions (default: ${DEFAULT-VALUE}).")
  String sourceLanguage;

  @Option(
      names = "--rate",
      defaultValue = "0",
      paramLabel = "N/s",
      converter = RateConverter.class,
      description = "New connections per second; 0 = as fast as possible (default).")
  double rate;

  @Option(
      names = "--concurrency",
      defaultValue = "256",
      paramLabel = "C",
      description = "Most handshakes in flight at once (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(
      names = "--source-addresses",
      paramLabel = "ADDRS|N",
      description =
          "Local addresses to bind, round-robin: a list (127.0.0.1,127.0.0.2) or a count (4 ="
              + " 127.0.0.1..127.0.0.4). Default: the kernel's choice (about 28,000 ports).")
  String sourceAddresses;

  @Option(
      names = "--event-loops",
      defaultValue = "1",
      paramLabel = "N",
      description = "Event loops of the generator, 1 or 2 (default: ${DEFAULT-VALUE}).")
  int eventLoops;

  @Option(
      names = "--connect-timeout",
      defaultValue = "30s",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "Limit for one TCP connect and for the upgrade response (default: 30s).")
  Duration connectTimeout;

  @Option(
      names = "--warmup",
      defaultValue = "0",
      paramLabel = "N",
      description =
          "Before measuring, open and close about N listeners on extra sessions, so that neither"
              + " JVM is measured cold and the server's baseline memory already holds its one-time"
              + " costs (default: 0).")
  int warmup;

  @Option(
      names = "--server-pid",
      paramLabel = "PID",
      description =
          "Server process to measure (same machine, same user): RSS and heap before and after,"
              + " CPU during the ramp.")
  Long serverPid;

  @Option(
      names = "--timeout",
      defaultValue = "120s",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "The whole run stops by itself after this (default: 120s).")
  Duration timeout;

  /** Checks the values that picocli cannot; returns the parsed pieces. */
  Validated validate() {
    Target target = Target.parse(url);
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("--token (or $PENTECOST_BENCH_TOKEN) is required");
    }
    if (sessions < 1) {
      throw new IllegalArgumentException("--sessions must be at least 1");
    }
    if (listenersPerSession < 0) {
      throw new IllegalArgumentException("--listeners-per-session must not be negative");
    }
    if ((long) sessions * listenersPerSession > 1_000_000L) {
      throw new IllegalArgumentException("at most 1,000,000 listeners per run");
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
    if (timeout.isZero() || timeout.isNegative()) {
      throw new IllegalArgumentException("--timeout must be positive");
    }
    if (warmup < 0) {
      throw new IllegalArgumentException("--warmup must not be negative");
    }
    if (serverPid != null && serverPid <= 0) {
      throw new IllegalArgumentException("--server-pid must be a process id");
    }
    return new Validated(target, SourceAddresses.parse(sourceAddresses));
  }

  record Validated(Target target, List<String> sourceAddresses) {}

  /** picocli converter for {@link Args#duration}. */
  static final class DurationConverter implements picocli.CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return Args.duration(value);
    }
  }

  /** picocli converter for {@link Args#rate}. */
  static final class RateConverter implements picocli.CommandLine.ITypeConverter<Double> {
    @Override
    public Double convert(String value) {
      return Args.rate(value);
    }
  }
}
