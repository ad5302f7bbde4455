package org.pentecost.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.protocol.Messages;
import org.pentecost.server.config.ConfigLoader;
import org.pentecost.server.config.PentecostConfig;

/**
 * {@code openapi/*.yaml} and the routers agree: every route that {@link HttpApi#router} and {@link
 * HttpApi#adminRouter} register (with the management API and the probes mounted) is an operation of
 * the document, and every operation of the document is a route, or the WebSocket upgrade that
 * {@code WsGateway} takes before the router. The document's error codes are {@link ErrorCode}'s.
 */
class OpenApiRoutesTest {
  /** Served outside the routers: the upgrade of {@code /ws}, taken by the WebSocket gateway. */
  private static final Set<String> OUTSIDE_ROUTERS = Set.of("GET " + Messages.PATH);

  private final Vertx vertx = Vertx.vertx();
  @TempDir Path dir;

  @AfterEach
  void close() {
    vertx.close();
  }

  private HttpApi api(Map<String, Object> flags) {
    ConfigLoader loader = new ConfigLoader().env(Map.of()).flag("server.dataDir", dir);
    flags.forEach(loader::flag);
    PentecostConfig config = loader.load();
    return new HttpApi(config, null, null, null, "test", "node-1", "embedded", () -> false)
        .withManagement(null, null)
        .withTranscripts(null)
        .withSummaries(null)
        .ops(new OpsRoutes(null, null, null));
  }

  @Test
  void everyRouteIsInTheDocumentAndEveryOperationIsARoute() {
    Set<String> served = new TreeSet<>(routes(api(Map.of()).router(vertx)));
    served.addAll(OUTSIDE_ROUTERS);
    assertThat(documented()).isEqualTo(served);
  }

  @Test
  void theAdminPortServesOperationsOfTheDocument() {
    HttpApi api = api(Map.of("server.adminPort", 9999));
    Set<String> admin = routes(api.adminRouter(vertx));
    assertThat(admin).isNotEmpty();
    assertThat(documented()).containsAll(admin);
    // and they have left the public router
    assertThat(routes(api.router(vertx))).doesNotContainAnyElementsOf(Set.of("GET /metrics"));
  }

  @Test
  void everyOperationHasAnIdASummaryAndNoCatchAllResponse() {
    JsonNode paths = ApiDocs.load().get("paths");
    Set<String> ids = new TreeSet<>();
    paths
        .fields()
        .forEachRemaining(
            path ->
                path.getValue()
                    .fields()
                    .forEachRemaining(
                        op -> {
                          if (!op.getValue().has("responses")) {
                            return; // path-level parameters
                          }
                          String where = op.getKey() + " " + path.getKey();
                          assertThat(op.getValue().path("operationId").asText())
                              .as(where)
                              .isNotEmpty();
                          assertThat(ids.add(op.getValue().get("operationId").asText()))
                              .as("unique id " + where)
                              .isTrue();
                          assertThat(op.getValue().path("summary").asText()).as(where).isNotEmpty();
                          assertThat(op.getValue().get("responses").has("default"))
                              .as("every status is named: " + where)
                              .isFalse();
                        }));
  }

  @Test
  void theDocumentsErrorCodesAreTheProtocols() {
    Set<String> documented = new TreeSet<>();
    ApiDocs.load()
        .at("/components/schemas/ErrorCode/enum")
        .forEach(c -> documented.add(c.asText()));
    Set<String> protocol = new TreeSet<>();
    Arrays.stream(ErrorCode.values()).forEach(c -> protocol.add(c.name()));
    assertThat(documented).isEqualTo(protocol);
  }

  /** {@code METHOD /path/{param}} of every operation of the document. */
  private static Set<String> documented() {
    Set<String> ops = new TreeSet<>();
    Iterator<Map.Entry<String, JsonNode>> paths = ApiDocs.load().get("paths").fields();
    while (paths.hasNext()) {
      Map.Entry<String, JsonNode> path = paths.next();
      path.getValue()
          .fields()
          .forEachRemaining(
              op -> {
                if (op.getValue().has("responses")) {
                  ops.add(op.getKey().toUpperCase(Locale.ROOT) + " " + path.getKey());
                }
              });
    }
    return ops;
  }

  /**
   * {@code METHOD /path/{param}} of every route of {@code router} with a path: {@code :id} becomes
   * {@code {id}}, and a trailing {@code /*} the document's {@code {asset}}.
   */
  private static Set<String> routes(Router router) {
    Set<String> routes = new TreeSet<>();
    for (Route route : router.getRoutes()) {
      String path = route.getPath();
      if (path == null) {
        continue; // handlers of every request: observe, CORS, body limit
      }
      path = path.replaceAll(":([A-Za-z]+)", "{$1}");
      if (!route.isExactPath()) {
        path = path + "{asset}";
      }
      Set<HttpMethod> methods = route.methods();
      assertThat(methods).as("every route names its methods: " + path).isNotEmpty();
      for (HttpMethod m : methods) {
        routes.add(m.name() + " " + path);
      }
    }
    return routes;
  }
}
