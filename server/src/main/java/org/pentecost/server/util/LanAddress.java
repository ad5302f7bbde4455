package org.pentecost.server.util;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.util.Collections;

/** The address of this machine that other machines on its network reach: never a loopback one. */
public final class LanAddress {
  private LanAddress() {}

  /**
   * The address a phone on the same network uses: {@code host} (the address the node binds) itself
   * when it names one address, else the first site-local IPv4 address of an interface that is up
   * (192.168.x.y, 10.x.y.z, 172.16-31.x.y), else its first other IPv4 address that is neither
   * loopback nor link-local; null when there is none, or when the node listens on loopback only.
   */
  public static String of(String host) {
    if (!host.equals("0.0.0.0") && !host.equals("::") && !host.isBlank()) {
      return host.startsWith("127.") || host.equals("localhost") || host.equals("::1")
          ? null
          : host;
    }
    String other = null;
    try {
      for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
        if (!nic.isUp() || nic.isLoopback()) {
          continue;
        }
        for (InetAddress a : Collections.list(nic.getInetAddresses())) {
          if (!(a instanceof Inet4Address) || a.isLoopbackAddress() || a.isLinkLocalAddress()) {
            continue;
          }
          if (a.isSiteLocalAddress()) {
            return a.getHostAddress();
          }
          if (other == null && !a.isAnyLocalAddress() && !a.isMulticastAddress()) {
            other = a.getHostAddress();
          }
        }
      }
    } catch (SocketException e) {
      return null;
    }
    return other;
  }
}
