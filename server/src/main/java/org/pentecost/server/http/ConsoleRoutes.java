package org.pentecost.server.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The web console, plain files from {@code webroot/} on the classpath: {@code /} (landing page),
 * {@code /listen}, {@code /listen/<code>} (the listener page, its code pre-filled for QR links),
 * {@code /speak} (the speaker console), and their assets under {@code /console/}.
 *
 * <p>Files carry no version in their names, so browsers may keep them but must revalidate ({@code
 * no-cache}, answered by a 304 when unchanged): a server upgrade is never mixed with stale scripts.
 * Pages forbid framing and anything not from this origin.
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
          + " object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  /** The pages, read once: a few kilobytes that every visitor asks for. */
  private static final Map<String, Buffer> PAGES =
      Map.of(
          "index.html", read("webroot/index.html"),
          "listen.html", read("webroot/listen.html"),
          "speak.html", read("webroot/speak.html"));

  public void mount(Router router) {
    page(router.route("/"), "index.html");
    page(router.route("/listen"), "listen.html");
    page(router.route("/listen/:code"), "listen.html");
    page(router.route("/speak"), "speak.html");
    router
        .route("/console/*")
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(HttpApi::tagRoute)
        .handler(ConsoleRoutes::revalidate)
        .handler(
            StaticHandler.create(ASSET_ROOT)
                .setDirectoryListing(false)
                .setIncludeHidden(false)
                .setCachingEnabled(true)
                .setDefaultContentEncoding("UTF-8"));
  }

  private static void page(Route route, String name) {
    Buffer body = PAGES.get(name);
    route
        .method(HttpMethod.GET)
        .method(HttpMethod.HEAD)
        .handler(HttpApi::tagRoute)
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "text/html; charset=utf-8")
                    .putHeader("Cache-Control", "no-cache")
                    .putHeader("X-Content-Type-Options", "nosniff")
                    .putHeader("Referrer-Policy", "no-referrer")
                    .putHeader("Content-Security-Policy", CSP)
                    .putHeader("Permissions-Policy", "microphone=(self), camera=()")
                    .end(ctx.request().method() == HttpMethod.HEAD ? Buffer.buffer() : body));
  }

  /**
   * StaticHandler sends {@code immutable} with its max-age; unversioned files are not immutable.
   * Keep its Last-Modified (and 304s) but make browsers revalidate on every use.
   */
  private static void revalidate(RoutingContext ctx) {
    ctx.addHeadersEndHandler(
        v -> {
          if (ctx.response().getStatusCode() < 400) {
            ctx.response().headers().set("Cache-Control", "no-cache");
            ctx.response().headers().set("X-Content-Type-Options", "nosniff");
          }
        });
    ctx.next();
  }

  private static Buffer read(String resource) {
    try (InputStream in = ConsoleRoutes.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing console resource " + resource);
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
