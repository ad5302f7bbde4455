package org.pentecost.server.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pentecost.server.util.Cidr;

/** Which address a connection counts as: the peer, or behind a trusted proxy the forwarded one. */
class ClientIpTest {
  private static final List<Cidr> PROXIES = Cidr.parseAll(List.of("10.0.0.0/8"));

  private static InetAddress ip(String literal) throws Exception {
    return InetAddress.getByName(literal);
  }

  @Test
  void thePeerWhenNoProxyIsTrusted() throws Exception {
    assertThat(
            ClientIp.of(
                SocketAddress.inetSocketAddress(5000, "192.0.2.7"), "198.51.100.1", List.of()))
        .isEqualTo(ip("192.0.2.7"));
    assertThat(ClientIp.of(SocketAddress.inetSocketAddress(5000, "::1"), null, List.of()))
        .isEqualTo(ip("::1"));
  }

  @Test
  void theRightMostUntrustedHopBehindATrustedProxy() throws Exception {
    SocketAddress proxy = SocketAddress.inetSocketAddress(5000, "10.1.2.3");
    assertThat(ClientIp.of(proxy, "198.51.100.1, 203.0.113.9, 10.9.9.9", PROXIES))
        .isEqualTo(ip("203.0.113.9"));
    assertThat(ClientIp.of(proxy, "2001:db8::5", PROXIES)).isEqualTo(ip("2001:db8::5"));
    // Every hop is a proxy: the peer.
    assertThat(ClientIp.of(proxy, "10.0.0.1", PROXIES)).isEqualTo(ip("10.1.2.3"));
  }

  @Test
  void aHopThatIsNotAnAddressStopsTheWalkAtThePeer() throws Exception {
    SocketAddress proxy = SocketAddress.inetSocketAddress(5000, "10.1.2.3");
    assertThat(ClientIp.of(proxy, "example.org", PROXIES)).isEqualTo(ip("10.1.2.3"));
    assertThat(ClientIp.of(proxy, "203.0.113.9, unknown", PROXIES)).isEqualTo(ip("10.1.2.3"));
    // A forwarded header from an untrusted peer is ignored.
    assertThat(
            ClientIp.of(SocketAddress.inetSocketAddress(5000, "192.0.2.7"), "203.0.113.9", PROXIES))
        .isEqualTo(ip("192.0.2.7"));
  }

  @Test
  void literalsOnlyNeverNames() throws Exception {
    assertThat(ClientIp.parse("192.0.2.1")).isEqualTo(ip("192.0.2.1"));
    assertThat(ClientIp.parse("[2001:db8::1]")).isEqualTo(ip("2001:db8::1"));
    assertThat(ClientIp.parse("localhost")).isNull();
    assertThat(ClientIp.parse("999.1.1.1")).isNull();
    assertThat(ClientIp.parse("")).isNull();
    assertThat(ClientIp.parse(null)).isNull();
  }
}
