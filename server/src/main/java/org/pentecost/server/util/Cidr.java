package org.pentecost.server.util;

import io.netty.handler.ipfilter.IpFilterRuleType;
import io.netty.handler.ipfilter.IpSubnetFilterRule;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

/** A network in CIDR notation ({@code 203.0.113.0/24}, {@code 2001:db8::/32}, or one address). */
public final class Cidr {
  private final IpSubnetFilterRule rule;

  private Cidr(IpSubnetFilterRule rule) {
    this.rule = rule;
  }

  /** Parses a literal address with an optional prefix; host names are refused (no DNS here). */
  public static Cidr parse(String text) {
    String t = text.trim();
    int slash = t.indexOf('/');
    String address = slash < 0 ? t : t.substring(0, slash);
    if (address.isEmpty() || !(address.contains(":") || address.matches("[0-9.]+"))) {
      throw new IllegalArgumentException("not an IP address: " + text);
    }
    InetAddress ip;
    try {
      ip = InetAddress.getByName(address);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("not an IP address: " + text, e);
    }
    int max = ip.getAddress().length * 8;
    int prefix = slash < 0 ? max : Integer.parseInt(t.substring(slash + 1));
    if (prefix < 0 || prefix > max) {
      throw new IllegalArgumentException("bad prefix length: " + text);
    }
    return new Cidr(new IpSubnetFilterRule(ip, prefix, IpFilterRuleType.ACCEPT));
  }

  public static List<Cidr> parseAll(List<String> texts) {
    return texts.stream().map(Cidr::parse).toList();
  }

  public boolean contains(InetAddress address) {
    return rule.matches(new InetSocketAddress(address, 0));
  }

  /** Whether any of {@code networks} contains {@code address}. */
  public static boolean anyContains(List<Cidr> networks, InetAddress address) {
    for (Cidr n : networks) {
      if (n.contains(address)) {
        return true;
      }
    }
    return false;
  }
}
