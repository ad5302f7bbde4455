package org.pentecost.server.cli;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/** The layout of {@code serve}'s start banner, and the address other machines reach. */
final class Banner {
  private Banner() {}

  /** One aligned line: a label padded to 16 characters, then the value. */
  static void line(StringBuilder b, String label, String value) {
    b.append("  ").append(String.format("%-16s", label)).append(value).append('\n');
  }

  /**
   * The address a phone on the same network uses: {@code host} itself when it names one address,
   * else the first site-local IPv4 address of an interface that is up (192.168.x.y, 10.x.y.z,
   * 172.16-31.x.y); null when there is none, or when the node listens on loopback only.
   */
  static String lanAddress(String host) {
    if (!host.equals("0.0.0.0") && !host.equals("::") && !host.isBlank()) {
      return host.startsWith("127.") || host.equals("localhost") ? null : host;
    }
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(nic.getInetAddresses())) {
          if (a instanceof Inet4Address && a.isSiteLocalAddress()) {
            return a.getHostAddress();
          }
        }
      }
    } catch (SocketException e) {
      return null;
    }
    return null;
  }
}
