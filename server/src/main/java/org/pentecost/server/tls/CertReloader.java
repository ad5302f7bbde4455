package org.pentecost.server.tls;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.ServerSSLOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves the certificate of {@link TlsFiles} and follows its files: every {@code interval} it looks
 * at both files' modification time and size (off the event loop), and when they changed (a certbot
 * renewal, a copied file) reads and checks them and hands the new certificate to every HTTP server
 * of the node. Connections already open keep the old one; new ones get the new one. Files that do
 * not read or do not match are logged and skipped; the server keeps what it had.
 */
public final class CertReloader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CertReloader.class);

  private final Vertx vertx;
  private final TlsFiles.Paths paths;
  private final List<HttpServer> servers = new CopyOnWriteArrayList<>();
  private volatile TlsFiles.Loaded current;
  private volatile String served; // the stamp of what is served
  private volatile String refused; // the stamp last refused, so that it is logged once
  private long timer = -1;
  private final java.util.concurrent.atomic.AtomicBoolean busy =
      new java.util.concurrent.atomic.AtomicBoolean();

  private CertReloader(Vertx vertx, TlsFiles.Paths paths, TlsFiles.Loaded first) {
    this.vertx = vertx;
    this.paths = paths;
    this.current = first;
    this.served = stamp(paths);
  }

  /** Reads the files now; throws {@link IllegalArgumentException} when they are not usable. */
  public static CertReloader open(Vertx vertx, TlsFiles.Paths paths) {
    return new CertReloader(vertx, paths, TlsFiles.load(paths));
  }

  /** What is served now. */
  public TlsFiles.Loaded current() {
    return current;
  }

  /** A server to update on every change. */
  public void serving(HttpServer server) {
    servers.add(server);
  }

  /** Starts looking at the files every {@code interval}. */
  public void watch(Duration interval) {
    timer = vertx.setPeriodic(Math.max(50, interval.toMillis()), t -> check());
  }

  private void check() {
    if (!busy.compareAndSet(false, true)) {
      return; // the previous look (or update) is still going
    }
    vertx
        .executeBlocking(
            () -> {
              String now = stamp(paths);
              if (now.equals(served) || now.equals(refused)) {
                return null;
              }
              try {
                return new Candidate(now, TlsFiles.load(paths));
              } catch (IllegalArgumentException e) {
                refused = now;
                LOG.warn(
                    "TLS: the changed files are not usable ({}); serving the old ones",
                    e.getMessage());
                return null;
              }
            },
            false)
        .onComplete(
            ar -> {
              if (ar.succeeded() && ar.result() != null) {
                apply(ar.result()).onComplete(v -> busy.set(false));
              } else {
                busy.set(false);
              }
            });
  }

  private Future<?> apply(Candidate c) {
    ServerSSLOptions options = new ServerSSLOptions().setKeyCertOptions(c.loaded().options());
    return Future.all(servers.stream().map(s -> s.updateSSLOptions(options, true)).toList())
        .onSuccess(
            v -> {
              current = c.loaded();
              served = c.stamp();
              LOG.info(
                  "TLS: certificate reloaded from {} (SHA-256 {}, valid until {})",
                  paths.cert(),
                  c.loaded().fingerprint(),
                  c.loaded().certificate().getNotAfter().toInstant());
            })
        .onFailure(
            e -> {
              refused = c.stamp();
              LOG.warn(
                  "TLS: the server refused the changed files ({}); serving the old ones",
                  e.getMessage());
            });
  }

  private record Candidate(String stamp, TlsFiles.Loaded loaded) {}

  private static String stamp(TlsFiles.Paths paths) {
    return stamp(paths.cert()) + "|" + stamp(paths.key());
  }

  private static String stamp(Path file) {
    try {
      return Files.getLastModifiedTime(file) + ":" + Files.size(file);
    } catch (IOException e) {
      return "missing";
    }
  }

  @Override
  public void close() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }
}
