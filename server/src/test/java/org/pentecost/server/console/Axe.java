package org.pentecost.server.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Page;
import com.microsoft.playwright.Route;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * axe-core in a console page: a test resource ({@code src/test/resources/axe/}, MPL-2.0, licence
 * beside it), never served to users. The page loads it from its own origin (a route the test
 * fulfils), so that the page's Content-Security-Policy allows it.
 */
final class Axe {
  private static final String URL = "/__test/axe.min.js";
  private static final String SCRIPT = resource("/axe/axe.min.js");

  private Axe() {}

  /** Lets {@code page} load axe (call before the page's first navigation). */
  static void install(Page page) {
    page.route(
        "**" + URL,
        route ->
            route.fulfill(
                new Route.FulfillOptions().setBody(SCRIPT).setContentType("text/javascript")));
  }

  /** Runs axe on the whole document as it is now: no violation of any kind is allowed. */
  static void assertNoViolations(Page page, String which, String state) {
    if (!Boolean.TRUE.equals(page.evaluate("() => !!window.axe"))) {
      page.addScriptTag(new Page.AddScriptTagOptions().setUrl(URL));
    }
    @SuppressWarnings("unchecked")
    List<String> violations =
        (List<String>)
            page.evaluate(
                "async () => { const r = await axe.run(document, { resultTypes: ['violations'] });"
                    + " return r.violations.map(v => v.id + ' (' + v.impact + '): ' + v.help"
                    + " + ' at ' + v.nodes.map(n => n.target.join(' ')).join(', ')); }");
    System.out.printf("axe, %s, %s: %d violations%n", which, state, violations.size());
    assertThat(violations).as("axe violations, %s, %s", which, state).isEmpty();
  }

  private static String resource(String name) {
    try (InputStream in = Axe.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("test resource missing: " + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
