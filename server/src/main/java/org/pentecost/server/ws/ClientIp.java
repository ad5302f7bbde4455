package org.pentecost.server.ws;

import io.netty.util.NetUtil;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.SocketAddressImpl;
import java.net.InetAddress;
import java.util.List;
import org.pentecost.server.util.Cidr;

/**
 * The client's IP. Behind a trusted proxy (a load balancer), it is the right-most address of {@code
 * X-Forwarded-For} that is not itself a trusted proxy; otherwise the socket's peer.
 */
final class ClientIp {
  private ClientIp() {}

  static InetAddress of(SocketAddress remote, String forwardedFor, List<Cidr> trustedProxies) {
    InetAddress peer =
        remote instanceof SocketAddressImpl known && known.ipAddress() != null
            ? known.ipAddress() // the socket's own address: nothing to parse
            : parse(remote == null ? null : remote.hostAddress());
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

  /** A literal IP address (v4, or v6 with or without brackets), or null; never a DNS lookup. */
  static InetAddress parse(String literal) {
    if (literal == null || literal.isEmpty()) {
      return null;
    }
    String ip =
        literal.length() > 2 && literal.charAt(0) == '[' && literal.endsWith("]")
            ? literal.substring(1, literal.length() - 1)
            : literal;
    return NetUtil.createInetAddressFromIpAddressString(ip);
  }
}
