package org.pentecost.server;

import io.vertx.core.Vertx;
import io.vertx.core.transport.Transport;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import org.pentecost.server.config.ConfigException;
import org.pentecost.server.config.PentecostConfig;
import org.pentecost.server.tls.CertReloader;
import org.pentecost.server.tls.SelfSigned;
import org.pentecost.server.tls.TlsFiles;

/**
 * What a node is made of before anything of it starts: its id, its network transport and its
 * certificate, each read from the configuration (and checked) in one place.
 */
final class NodeBasics {
  private static final SecureRandom SUFFIX = new SecureRandom();

  private NodeBasics() {}

  /**
   * {@code server.nodeId}, or the host name. With Redis every running node needs an id of its own
   * (its listener counts are filed under it), so the default then gets a random suffix: two
   * processes on one host never share one.
   */
  static String nodeId(PentecostConfig config) {
    if (!config.server().nodeId().isBlank()) {
      return config.server().nodeId();
    }
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      host = "node";
    }
    if (!config.store().isRedis()) {
      return host;
    }
    return host + "-" + HexFormat.of().toHexDigits(SUFFIX.nextInt() & 0xffff, 4);
  }

  /**
   * The transport {@code server.transport} names. {@code auto} is epoll where Linux offers it, else
   * NIO; asking for a native transport this machine cannot load is a configuration error.
   */
  static Transport transport(String name) {
    if (name.equals("nio")) {
      return Transport.NIO;
    }
    if (name.equals("auto")) {
      Transport epoll = Transport.EPOLL;
      return epoll != null && epoll.available() ? epoll : Transport.NIO;
    }
    Transport wanted = name.equals("epoll") ? Transport.EPOLL : Transport.IO_URING;
    if (wanted == null || !wanted.available()) {
      Throwable why = wanted == null ? null : wanted.unavailabilityCause();
      throw new ConfigException(
          "server.transport=" + name + " is not available here" + (why == null ? "" : ": " + why));
    }
    return wanted;
  }

  /** The certificate of {@code server.tls}, read and checked now; null when TLS is off. */
  static CertReloader openTls(Vertx vertx, PentecostConfig config) {
    PentecostConfig.Tls tls = config.server().tls();
    if (!tls.enabled()) {
      return null;
    }
    TlsFiles.Paths paths =
        tls.selfSigned()
            ? SelfSigned.ensure(config.server().dataDir())
            : new TlsFiles.Paths(Path.of(tls.certFile()), Path.of(tls.keyFile()));
    try {
      return CertReloader.open(vertx, paths);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("server.tls: " + e.getMessage(), e);
    }
  }
}
