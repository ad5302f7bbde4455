package org.pentecost.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import org.pentecost.server.util.Json;

/**
 * {@code GET /openapi.json}: the OpenAPI 3.1 description of the HTTP API. It is kept in the
 * repository as YAML, for people, in {@link #PARTS} (each a part of the top-level objects: paths,
 * components), merged and read once, and served as JSON with {@code info.version} set to the node's
 * version. Tests hold it to the server's real responses.
 */
public final class ApiDocs {
  /** The document's files on the classpath; the first holds {@code openapi} and {@code info}. */
  public static final List<String> PARTS =
      List.of(
          "openapi/openapi.yaml",
          "openapi/system.yaml",
          "openapi/history.yaml",
          "openapi/components.yaml");

  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private final Buffer json;

  ApiDocs(String version) {
    ObjectNode doc = load();
    ((ObjectNode) doc.get("info")).put("version", version);
    this.json = Buffer.buffer(Json.write(doc));
  }

  /** The document as it is in the repository: its parts, parsed and merged. */
  public static ObjectNode load() {
    ObjectNode doc = read(PARTS.get(0));
    for (String part : PARTS.subList(1, PARTS.size())) {
      merge(doc, read(part), part);
    }
    return doc;
  }

  /**
   * Adds {@code part}'s top-level objects to {@code doc}'s (and one level down: {@code
   * components.schemas}...); a name defined twice is an error.
   */
  private static void merge(ObjectNode doc, ObjectNode part, String name) {
    part.fields()
        .forEachRemaining(
            top -> {
              ObjectNode into = doc.withObjectProperty(top.getKey());
              top.getValue()
                  .fields()
                  .forEachRemaining(
                      e -> {
                        JsonNode had = into.get(e.getKey());
                        if (had == null) {
                          into.set(e.getKey(), e.getValue());
                        } else if (had.isObject() && e.getValue().isObject()) {
                          e.getValue()
                              .fields()
                              .forEachRemaining(
                                  f -> {
                                    if (had.has(f.getKey())) {
                                      throw duplicate(name, top.getKey(), e.getKey(), f.getKey());
                                    }
                                    ((ObjectNode) had).set(f.getKey(), f.getValue());
                                  });
                        } else {
                          throw duplicate(name, top.getKey(), e.getKey(), "");
                        }
                      });
            });
  }

  private static IllegalStateException duplicate(String part, String... at) {
    return new IllegalStateException(part + " defines again " + String.join("/", at));
  }

  private static ObjectNode read(String resource) {
    try (InputStream in = ApiDocs.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      return (ObjectNode) YAML.readTree(in);
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
