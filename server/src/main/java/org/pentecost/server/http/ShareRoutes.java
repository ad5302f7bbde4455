package org.pentecost.server.http;

import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.pentecost.server.util.LanAddress;

/**
 * {@code GET /share}: the addresses phones can open this server at, for the speaker console's join
 * link and QR code: {@code server.publicUrl} when set, and the server's LAN address (never a
 * loopback one) with the scheme and port of the request's own connection; null for either that is
 * unknown.
 */
final class ShareRoutes {
  private final String publicUrl;
  private final String host;

  ShareRoutes(String publicUrl, String host) {
    this.publicUrl = publicUrl.isBlank() ? null : stripSlash(publicUrl);
    this.host = host;
  }

  void mount(Router router) {
    router.get("/share").handler(HttpApi::tagRoute).handler(this::share);
  }

  private void share(RoutingContext ctx) {
    String lan = LanAddress.of(host);
    String lanUrl = null;
    if (lan != null && ctx.request().localAddress() != null) {
      String scheme = ctx.request().isSSL() ? "https" : "http";
      String address = lan.contains(":") ? "[" + lan + "]" : lan;
      lanUrl = scheme + "://" + address + ":" + ctx.request().localAddress().port();
    }
    ctx.response()
        .putHeader("Content-Type", "application/json")
        .putHeader("Cache-Control", "no-store")
        .end(new JsonObject().put("publicUrl", publicUrl).put("lanUrl", lanUrl).encode());
  }

  private static String stripSlash(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }
}
