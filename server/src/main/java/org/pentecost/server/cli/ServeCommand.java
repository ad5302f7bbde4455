package org.pentecost.server.cli;

import java.time.Clock;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.pentecost.server.PentecostServer;
import org.pentecost.server.auth.HmacSecret;
import org.pentecost.server.auth.TokenMinter;
import org.pentecost.server.config.ConfigException;
import org.pentecost.server.config.ConfigLoader;
import org.pentecost.server.config.PentecostConfig;
import org.pentecost.server.logging.BufferedConsoleAppender;
import org.pentecost.server.util.Version;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code pentecost serve}: runs a node until SIGTERM or Ctrl-C. */
@Command(name = "serve", description = "Run the server.")
final class ServeCommand implements Callable<Integer> {
  private static final String DEV_USER = "dev-speaker";

  @Mixin ConfigOptions options;

  @Option(
      names = "--port",
      paramLabel = "N",
      description = "HTTP port; 0 picks a free one (env PENTECOST_SERVER_PORT; default 8080).")
  Integer port;

  @Option(
      names = "--host",
      paramLabel = "ADDR",
      description = "Address to bind (env PENTECOST_SERVER_HOST; default 0.0.0.0).")
  String host;

  @Option(
      names = "--store",
      paramLabel = "TYPE",
      description =
          "embedded (one node) or redis (nodes sharing one Redis) (env PENTECOST_STORE_TYPE;"
              + " default embedded).")
  String store;

  @Option(
      names = "--redis-url",
      paramLabel = "URL",
      description =
          "redis://[user:password@]host:port[/db] or rediss://... (env"
              + " PENTECOST_STORE_REDIS_URL; default redis://127.0.0.1:6379).")
  String redisUrl;

  @Option(
      names = "--recover",
      description =
          "Start even if the embedded store's file is damaged: keep it as"
              + " sessions.mv.db.damaged-<time>, carry over the sessions it still holds, log the"
              + " ones lost (env PENTECOST_STORE_RECOVER=true).")
  boolean recover;

  @Option(
      names = "--tls-self-signed",
      description =
          "Serve HTTPS and WSS with a self-signed certificate made once in <data-dir>/tls/ (for a"
              + " LAN; its SHA-256 fingerprint is printed) (env PENTECOST_SERVER_TLS_SELF_SIGNED=true).")
  boolean tlsSelfSigned;

  @Override
  public Integer call() throws Exception {
    PentecostConfig config =
        options
            .loader()
            .flag("server.port", port)
            .flag("server.host", host)
            .flag("store.type", store)
            .flag("store.redis.url", redisUrl)
            .flag("store.recover", recover ? Boolean.TRUE : null)
            .flag("server.tls.selfSigned", tlsSelfSigned ? Boolean.TRUE : null)
            .load();
    PentecostServer server;
    try {
      server = PentecostServer.start(config).toCompletionStage().toCompletableFuture().get();
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof java.net.BindException
          || String.valueOf(cause.getMessage()).contains("in use")) {
        throw new ConfigException(
            "port " + config.server().port() + " is already in use; pick another with --port");
      }
      throw new ConfigException("the server did not start: " + cause.getMessage(), cause);
    }
    printBanner(config, server);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  try {
                    server
                        .stop()
                        .toCompletionStage()
                        .toCompletableFuture()
                        .get(
                            config.connections().drainTimeout().toSeconds() + 30, TimeUnit.SECONDS);
                  } catch (Exception e) {
                    System.err.println("error during shutdown: " + e.getMessage());
                  }
                  BufferedConsoleAppender.flushAll(); // the log's last lines
                  stopped.countDown();
                },
                "pentecost-shutdown"));
    stopped.await();
    return 0;
  }

  private static String storeDescription(PentecostConfig config) {
    if (!config.store().isRedis()) {
      return "embedded";
    }
    var redis = config.store().redis();
    return "redis "
        + redis.mode()
        + " "
        + ConfigLoader.redactPassword(redis.url())
        + " (keys "
        + redis.keyPrefix()
        + "*)";
  }

  private static void printBanner(PentecostConfig config, PentecostServer server) {
    boolean tls = server.isTls();
    String base = (tls ? "https" : "http") + "://localhost:" + server.port();
    String lan = org.pentecost.server.util.LanAddress.of(config.server().host());
    String near = lan == null ? base : (tls ? "https" : "http") + "://" + lan + ":" + server.port();
    String ws = (tls ? "wss" : "ws") + near.substring(near.indexOf(':'));
    String ops =
        server.adminPort() > 0 ? "http://localhost:" + server.adminPort() + " (admin port)" : base;
    StringBuilder b = new StringBuilder();
    b.append('\n')
        .append("  Pentecost ")
        .append(Version.get())
        .append(" (")
        .append(config.profile())
        .append(" profile, node ")
        .append(server.nodeId())
        .append(")\n");
    Banner.line(b, "listening on", base + "   (port " + server.port() + ")");
    if (lan != null) {
      Banner.line(b, "on the LAN", near);
    }
    Banner.line(b, "speaker console", near + "/speak");
    Banner.line(b, "listener page", near + "/listen/<session code>");
    Banner.line(b, "WebSocket", ws + "/ws");
    Banner.line(b, "sessions API", base + "/sessions");
    Banner.line(b, "health", base + "/health");
    Banner.line(b, "probes, metrics", ops + "/health/ready, /health/live, /metrics");
    if (tls) {
      PentecostConfig.Tls t = config.server().tls();
      Banner.line(
          b,
          "TLS",
          (t.selfSigned() ? "self-signed" : "certificate " + t.certFile())
              + ", SHA-256 "
              + server.tlsFingerprint());
      if (t.selfSigned()) {
        Banner.line(
            b,
            "",
            "browsers warn once: compare this fingerprint, then accept (docs/operations.md)");
      }
    }
    Banner.line(
        b, "data directory", config.server().dataDir().toAbsolutePath().normalize().toString());
    Banner.line(b, "store", storeDescription(config));
    if (config.isDev() && !config.auth().isJwks()) {
      byte[] secret =
          HmacSecret.loadOrCreate(config.server().dataDir(), config.auth().hmacSecret());
      String token =
          TokenMinter.mint(
              secret,
              config.auth().issuer(),
              DEV_USER,
              config.auth().devTokenTtl(),
              Clock.systemUTC());
      b.append('\n')
          .append("  dev speaker token (user ")
          .append(DEV_USER)
          .append(", valid ")
          .append(config.auth().devTokenTtl().toHours())
          .append(" h):\n")
          .append("    export TOKEN=")
          .append(token)
          .append('\n')
          .append("  then:  curl -s")
          .append(tls && config.server().tls().selfSigned() ? "k" : "")
          .append(" -X POST ")
          .append(base)
          .append("/sessions")
          .append(" -H \"Authorization: Bearer $TOKEN\"")
          .append(" -H 'Content-Type: application/json' -d '{\"sourceLanguage\":\"en\"}'\n");
    }
    System.out.println(b);
    System.out.flush();
  }
}
