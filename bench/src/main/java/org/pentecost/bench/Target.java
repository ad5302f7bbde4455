package org.pentecost.bench;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.Locale;

/**
 * The server under load: an {@code http://} base URL whose host is in 127.0.0.0/8. Anything else is
 * refused, so that the generator can never be pointed at someone else's machine.
 */
record Target(String host, int port) {

  static Target parse(String url) {
    URI uri;
    try {
      uri = new URI(url.trim());
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("not a URL: " + url, e);
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("ws")) {
      throw new IllegalArgumentException("the URL must be http://127.x.x.x:PORT, got: " + url);
    }
    String host = uri.getHost();
    if (host == null) {
      throw new IllegalArgumentException("no host in URL: " + url);
    }
    String address = loopbackAddress(host);
    int port = uri.getPort() == -1 ? 80 : uri.getPort();
    return new Target(address, port);
  }

  /**
   * The IPv4 literal of {@code host} when it is in 127.0.0.0/8 ({@code localhost} included, looked
   * up locally); otherwise an exception.
   */
  static String loopbackAddress(String host) {
    if (SourceAddresses.isLoopbackIpv4(host)) {
      return host;
    }
    if (host.equalsIgnoreCase("localhost")) {
      try {
        for (InetAddress a : InetAddress.getAllByName(host)) {
          if (a instanceof Inet4Address && a.getAddress()[0] == 127) {
            return a.getHostAddress();
          }
        }
      } catch (UnknownHostException e) {
        // fall through to the refusal
      }
    }
    throw new IllegalArgumentException(
        "refusing to load '" + host + "': only 127.0.0.0/8 targets are allowed");
  }

  String httpBase() {
    return "http://" + host + ":" + port;
  }
}
