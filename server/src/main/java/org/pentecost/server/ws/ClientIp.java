package org.pentecost.server.ws;

import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.pentecost.server.util.Cidr;

/**
 * The client's IP. Behind a trusted proxy (a load balancer), it is the right-most address of {@code
 * X-Forwarded-For} that is not itself a trusted proxy; otherwise the socket's peer.
 */
final class ClientIp {
  private ClientIp() {}

  static InetAddress of(SocketAddress remote, String forwardedFor, List<Cidr> trustedProxies) {
    InetAddress peer = parse(remote == null ? null : remote.hostAddress());
    if (peer == null) {
      peer = InetAddress.getLoopbackAddress();
    }
    if (forwardedFor == null
        || trustedProxies.isEmpty()
        || !Cidr.anyContains(trustedProxies, peer)) {
      return peer;
    }
    String[] hops = forwardedFor.split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      InetAddress hop = parse(hops[i].trim());
      if (hop == null) {
        break;
      }
      if (!Cidr.anyContains(trustedProxies, hop)) {
        return hop;
      }
    }
    return peer;
  }

  /** A literal IP address, or null; never a DNS lookup. */
  private static InetAddress parse(String literal) {
    if (literal == null
        || literal.isEmpty()
        || !(literal.contains(":") || literal.matches("[0-9.]+"))) {
      return null;
    }
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      return null;
    }
  }
}
