package org.pentecost.server.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * The web console, files from {@code webroot/} on the classpath ({@link ConsoleAssets}): {@code /}
 * (landing page), {@code /listen}, {@code /listen/<code>} (the listener page, its code pre-filled
 * for QR links), {@code /speak} (the speaker console), their assets under {@code /console/}, and
 * the web app manifest.
 *
 * <p>Caching: the pages load their assets under {@code /console/v/<version>/} (the digest of every
 * console file), cached for a year as {@code immutable}; pages, the manifest and assets at their
 * plain paths are revalidated on every use ({@code no-cache}), a 304 when their strong ETag (from
 * their content) still matches. Text files are sent gzipped to clients that accept it. Pages forbid
 * framing and anything not from this origin.
 */
public final class ConsoleRoutes {
  static final String ASSET_ROOT = "webroot/console";

  /**
   * Who may load what: this origin only; WebSockets to any host (same-host ws: is not 'self');
   * WebAssembly compiled from this origin's scripts (the listener's Opus decoder where WebCodecs is
   * missing), and no other eval.
   */
  static final String CSP =
      "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:;"
          + " connect-src 'self' ws: wss:; media-src 'self' blob:; worker-src 'self';"
          + " manifest-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self';"
          + " frame-ancestors 'none'";

  static final String IMMUTABLE = "public, max-age=31536000, immutable";

  private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME;

  /** When the files were read: their Last-Modified (they cannot change while the node runs). */
  private static final ZonedDateTime LOADED =
      ZonedDateTime.now(java.time.ZoneOffset.UTC).withNano(0);

  private static final ConsoleAssets ASSETS = ConsoleAssets.get();

  /** The pages, their asset URLs versioned, read once: every visitor asks for them. */
  private static final Map<String, ConsoleAssets.Asset> PAGES =
      Map.of(
          "index.html", page("index.html"),
          "listen.html", page("listen.html"),
          "speak.html", page("speak.html"));

  public void mount(Router router) {
    page(router.route("/"), "index.html");
    page(router.route("/listen"), "listen.html");
    page(router.route("/listen/:code"), "listen.html");
    page(router.route("/speak"), "speak.html");
    router
        .route("/manifest.webmanifest")
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(HttpApi::tagRoute)
        .handler(ctx -> send(ctx, ASSETS.file("manifest.webmanifest"), "no-cache"));
    router
        .route("/console/*")
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(HttpApi::tagRoute)
        .handler(ConsoleRoutes::asset)
        .handler(
            StaticHandler.create(ASSET_ROOT) // what is not a file: 404, a directory's redirect
                .setDirectoryListing(false)
                .setIncludeHidden(false)
                .setDefaultContentEncoding("UTF-8"));
  }

  private static ConsoleAssets.Asset page(String name) {
    ConsoleAssets.Asset file = ASSETS.file(name);
    String html = file.body().toString(StandardCharsets.UTF_8);
    String versioned = html.replace("\"/console/", "\"/console/v/" + ASSETS.version() + "/");
    return ConsoleAssets.asset(name, versioned.getBytes(StandardCharsets.UTF_8));
  }

  private static void page(Route route, String name) {
    ConsoleAssets.Asset page = PAGES.get(name);
    route
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(HttpApi::tagRoute)
        .handler(
            ctx -> {
              ctx.response()
                  .putHeader("Referrer-Policy", "no-referrer")
                  .putHeader("Content-Security-Policy", CSP)
                  .putHeader("Permissions-Policy", "microphone=(self), camera=()");
              send(ctx, page, "no-cache");
            });
  }

  /** A file under {@code /console/}, versioned or not; anything else goes to the next handler. */
  private static void asset(RoutingContext ctx) {
    String path = ctx.normalizedPath().substring("/console/".length());
    String cache = "no-cache";
    String prefix = "v/" + ASSETS.version() + "/";
    if (path.startsWith(prefix)) {
      path = path.substring(prefix.length());
      cache = IMMUTABLE;
    } else if (path.matches("v/[0-9a-f]{16}/.*")) {
      path =
          path.substring(prefix.length()); // a page of another version: today's file, revalidated
    }
    ConsoleAssets.Asset file = path.contains("..") ? null : ASSETS.file("console/" + path);
    if (file == null) {
      ctx.next();
      return;
    }
    send(ctx, file, cache);
  }

  /**
   * Sends {@code file}: a 304 when the request's {@code If-None-Match} (or, without one, its {@code
   * If-Modified-Since}) still matches, gzipped when the client accepts it.
   */
  static void send(RoutingContext ctx, ConsoleAssets.Asset file, String cacheControl) {
    boolean gzip = file.isText() && acceptsGzip(ctx.request().getHeader("Accept-Encoding"));
    String etag = "\"" + file.etag().replace("\"", "") + (gzip ? "-gz" : "") + "\"";
    HttpServerResponse r = ctx.response();
    r.putHeader("Cache-Control", cacheControl)
        .putHeader("ETag", etag)
        .putHeader("Last-Modified", HTTP_DATE.format(LOADED))
        .putHeader("X-Content-Type-Options", "nosniff");
    if (file.isText()) {
      r.putHeader("Vary", "Accept-Encoding");
    }
    if (notModified(ctx, file.etag())) {
      r.setStatusCode(304).end();
      return;
    }
    r.putHeader("Content-Type", file.type());
    if (gzip) {
      r.putHeader(HttpHeaders.CONTENT_ENCODING, "gzip");
    }
    io.vertx.core.buffer.Buffer body = gzip ? file.gzip() : file.body();
    if (ctx.request().method() == HttpMethod.HEAD) {
      r.putHeader("Content-Length", Integer.toString(body.length())).end();
    } else {
      r.end(body);
    }
  }

  private static boolean notModified(RoutingContext ctx, String etag) {
    String match = ctx.request().getHeader("If-None-Match");
    if (match != null) {
      String bare = etag.replace("\"", "");
      for (String tag : match.split(",")) {
        String t = tag.trim().replace("W/", "").replace("\"", "");
        if (t.equals("*") || t.equals(bare) || t.equals(bare + "-gz")) {
          return true;
        }
      }
      return false;
    }
    String since = ctx.request().getHeader("If-Modified-Since");
    if (since == null) {
      return false;
    }
    try {
      return !ZonedDateTime.parse(since, HTTP_DATE).isBefore(LOADED);
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  /** Whether {@code Accept-Encoding} names gzip (or {@code *}) with a quality above 0. */
  static boolean acceptsGzip(String acceptEncoding) {
    if (acceptEncoding == null) {
      return false;
    }
    for (String part : acceptEncoding.split(",")) {
      String[] p = part.trim().split(";");
      String coding = p[0].trim().toLowerCase(java.util.Locale.ROOT);
      if (coding.equals("gzip") || coding.equals("*")) {
        for (int i = 1; i < p.length; i++) {
          String q = p[i].trim().replace(" ", "");
          if (q.equals("q=0") || q.matches("q=0\\.0*")) {
            return false;
          }
        }
        return true;
      }
    }
    return false;
  }
}
