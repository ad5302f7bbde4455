package org.pentecost.server.testing;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.Validator;
import io.vertx.openapi.contract.MediaType;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.contract.Response;
import io.vertx.openapi.validation.ResponseValidator;
import io.vertx.openapi.validation.SchemaValidationException;
import io.vertx.openapi.validation.ValidatableResponse;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.pentecost.server.http.ApiDocs;
import org.pentecost.server.util.Json;

/**
 * The server's OpenAPI document ({@code openapi/*.yaml}) as Vert.x's own validator reads it: real
 * responses are checked against the operation they answered ({@link #check}), and every operation
 * checked is remembered, so that a test can require each one to have been exercised.
 *
 * <p>vertx-openapi validates JSON bodies. A response the document gives another media type (the
 * console's HTML, scripts and style sheet, which vertx-openapi refuses; the metrics' plain text,
 * whose schema vertx-openapi 5.0.10 cannot apply to a body) is taken out of the copy it is given:
 * for it the status is validated there, and the {@code Content-Type} is checked here against the
 * document's.
 */
public final class ApiContract implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final OpenAPIContract contract;
  private final ResponseValidator validator;
  private final Validator errorSchema;

  /** operationId → status → media types vertx-openapi cannot take (checked by type only). */
  private final Map<String, Map<String, Set<String>>> otherMedia = new HashMap<>();

  private final Set<String> checked = ConcurrentHashMap.newKeySet();

  public ApiContract() {
    JsonObject doc = new JsonObject(Json.write(ApiDocs.load()));
    setAsideUnsupportedMedia(doc);
    this.contract = await(OpenAPIContract.from(vertx, doc));
    this.validator = ResponseValidator.create(vertx, contract);
    this.errorSchema =
        contract
            .getSchemaRepository()
            .validator(
                JsonSchema.of(
                    contract
                        .getSchemaRepository()
                        .resolve(doc)
                        .getJsonObject("components")
                        .getJsonObject("schemas")
                        .getJsonObject("Error")),
                new JsonSchemaOptions()
                    .setDraft(Draft.DRAFT202012)
                    .setBaseUri("app://")
                    .setOutputFormat(OutputFormat.Basic));
  }

  public OpenAPIContract contract() {
    return contract;
  }

  /**
   * Validates {@code r} against what the document says {@code operationId} answers with its status:
   * the status must be documented, and the headers and body must match; fails the test otherwise.
   * Returns {@code r}.
   */
  public TestServer.Response check(String operationId, TestServer.Response r) {
    return check(operationId, r.status(), r.headers(), r.body());
  }

  /** As {@link #check(String, TestServer.Response)}, from the parts of a response. */
  public TestServer.Response check(
      String operationId, int status, Map<String, String> headers, String body) {
    Operation op = contract.operation(operationId);
    if (op == null) {
      throw new AssertionError("the document has no operation " + operationId);
    }
    Response documented = op.getResponse(status);
    String what = operationId + " " + status + " " + headers + " " + body;
    if (documented == null) {
      throw new AssertionError("status " + status + " is not documented for " + what);
    }
    String contentType = headers.get("content-type");
    String mediaKey = null;
    Buffer payload = null;
    Set<String> others = otherMedia.getOrDefault(operationId, Map.of()).get(String.valueOf(status));
    if (others != null && contentType != null && others.contains(essence(contentType))) {
      mediaKey = null; // documented, but not a type vertx-openapi reads: checked by type only
    } else if (!documented.getContent().isEmpty()) {
      mediaKey = mediaKeyFor(documented.getContent(), contentType, what);
      payload = Buffer.buffer(body == null ? "" : body);
    } else if (others != null) {
      throw new AssertionError(
          "Content-Type " + contentType + " is not one of " + others + ": " + what);
    } else if (body != null && !body.isEmpty()) {
      throw new AssertionError("the document says no body, the server sent one: " + what);
    }
    ValidatableResponse response =
        payload == null
            ? ValidatableResponse.create(status, headers)
            : ValidatableResponse.create(status, headers, payload, mediaKey);
    try {
      await(validator.validate(response, operationId));
    } catch (SchemaValidationException e) {
      throw new AssertionError(
          "does not match the document: " + e.getMessage() + " " + e.getOutputUnit() + ": " + what,
          e);
    } catch (RuntimeException e) {
      throw new AssertionError("does not match the document: " + e.getMessage() + ": " + what, e);
    }
    checked.add(operationId);
    return new TestServer.Response(status, headers, body);
  }

  /** A reply outside any operation (no route, a method not allowed): the {@code Error} body. */
  public void checkError(TestServer.Response r) {
    OutputUnit out = errorSchema.validate(new JsonObject(r.body()));
    if (!Boolean.TRUE.equals(out.getValid())) {
      throw new AssertionError("not the Error schema: " + out + ": " + r.body());
    }
    if (!"application/json".equals(r.header("content-type"))) {
      throw new AssertionError("an error is JSON: " + r.headers());
    }
  }

  /** The operations of the document no response has been checked against yet. */
  public Set<String> unchecked() {
    Set<String> all = new TreeSet<>();
    contract.operations().forEach(o -> all.add(o.getOperationId()));
    all.removeAll(checked);
    return all;
  }

  private static String mediaKeyFor(Map<String, MediaType> content, String contentType, String w) {
    if (contentType == null) {
      throw new AssertionError("no Content-Type, the document says " + content.keySet() + ": " + w);
    }
    for (String key : content.keySet()) {
      if (essence(key).equals(essence(contentType))) {
        return key;
      }
    }
    throw new AssertionError(
        "Content-Type " + contentType + " is not one of " + content.keySet() + ": " + w);
  }

  /** JSON bodies are validated by vertx-openapi; others (HTML, scripts, text) by type only. */
  private static boolean isJson(String mediaType) {
    String e = essence(mediaType);
    return MediaType.isMediaTypeSupported(e)
        && (e.equals("application/json") || e.endsWith("+json"));
  }

  private static String essence(String contentType) {
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi))
        .trim()
        .toLowerCase(Locale.ROOT);
  }

  private void setAsideUnsupportedMedia(JsonObject doc) {
    JsonObject responses = doc.getJsonObject("components").getJsonObject("responses");
    JsonObject paths = doc.getJsonObject("paths");
    for (String path : paths.fieldNames()) {
      JsonObject item = paths.getJsonObject(path);
      for (String method : item.fieldNames()) {
        if (!(item.getValue(method) instanceof JsonObject op) || !op.containsKey("operationId")) {
          continue;
        }
        JsonObject byStatus = op.getJsonObject("responses");
        for (String status : byStatus.fieldNames()) {
          JsonObject resp = byStatus.getJsonObject(status);
          String ref = resp.getString("$ref");
          if (ref != null) {
            resp = responses.getJsonObject(ref.substring(ref.lastIndexOf('/') + 1)).copy();
            byStatus.put(status, resp);
          }
          JsonObject content = resp.getJsonObject("content");
          if (content == null) {
            continue;
          }
          if (content.fieldNames().stream().anyMatch(m -> !isJson(m))) {
            Set<String> types = new HashSet<>();
            content.fieldNames().forEach(m -> types.add(essence(m)));
            resp.remove("content");
            otherMedia
                .computeIfAbsent(op.getString("operationId"), k -> new HashMap<>())
                .put(status, types);
          }
        }
      }
    }
  }

  private static <T> T await(Future<T> f) {
    return TestServer.await(f.toCompletionStage().toCompletableFuture());
  }

  @Override
  public void close() {
    vertx.close();
  }
}
