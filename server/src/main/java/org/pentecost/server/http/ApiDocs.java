package org.pentecost.server.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.pentecost.server.util.Json;

/**
 * {@code GET /openapi.json}: the OpenAPI 3.1 description of the HTTP API. It is kept in the
 * repository as {@value #RESOURCE} (YAML, for people), read once and served as JSON with {@code
 * info.version} set to the node's version. Tests hold it to the server's real responses.
 */
public final class ApiDocs {
  /** The document on the classpath. */
  public static final String RESOURCE = "openapi.yaml";

  private final Buffer json;

  ApiDocs(String version) {
    ObjectNode doc = load();
    ((ObjectNode) doc.get("info")).put("version", version);
    this.json = Buffer.buffer(Json.write(doc));
  }

  /** The document as it is in the repository, parsed. */
  public static ObjectNode load() {
    try (InputStream in = ApiDocs.class.getClassLoader().getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + RESOURCE);
      }
      return (ObjectNode) new ObjectMapper(new YAMLFactory()).readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  void mount(Router router) {
    router
        .get("/openapi.json")
        .handler(HttpApi::tagRoute)
        .handler(
            ctx ->
                ctx.response()
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Cache-Control", "no-cache")
                    .end(json));
  }
}
