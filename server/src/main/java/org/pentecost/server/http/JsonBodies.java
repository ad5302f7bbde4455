package org.pentecost.server.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import java.util.Iterator;
import java.util.Set;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.server.error.ApiException;
import org.pentecost.server.util.InputExcerpt;

/** Strict reading of JSON request bodies: an object, known fields only, right types. */
final class JsonBodies {
  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
          // One JSON value, nothing after it: "{...} x" is not a JSON body.
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .build();

  private JsonBodies() {}

  /** The request's body; empty when there is none. */
  static byte[] bytes(RoutingContext ctx) {
    // The content type is not checked: curl's -d sends form-urlencoded, and a JSON body is
    // what every client means here. What does not parse is a clear MALFORMED_JSON.
    Buffer body = ctx.body().buffer();
    return body == null ? new byte[0] : body.getBytes();
  }

  /**
   * The body as a JSON object whose fields are all in {@code allowed}; empty body → empty object.
   * Anything else is an {@link ApiException} (MALFORMED_JSON or INVALID_REQUEST) whose message
   * quotes at most a short excerpt of the body.
   */
  static ObjectNode object(byte[] body, Set<String> allowed) {
    if (body.length == 0) {
      return STRICT.createObjectNode();
    }
    JsonNode node;
    try {
      node = STRICT.readTree(body);
    } catch (JsonProcessingException e) {
      throw new ApiException(ErrorCode.MALFORMED_JSON, "the body is not valid JSON");
    } catch (java.io.IOException e) {
      throw new ApiException(ErrorCode.MALFORMED_JSON, "the body could not be read");
    }
    if (node == null || node.isMissingNode()) {
      return STRICT.createObjectNode();
    }
    if (!(node instanceof ObjectNode object)) {
      throw new ApiException(ErrorCode.MALFORMED_JSON, "the body must be a JSON object");
    }
    for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw new ApiException(
            ErrorCode.INVALID_REQUEST,
            "unknown field '"
                + InputExcerpt.of(name)
                + "'; allowed: "
                + String.join(", ", allowed));
      }
    }
    return object;
  }

  /** A string field, or null when absent; any other type is a 400 naming the field. */
  static String string(ObjectNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null) {
      return null;
    }
    if (!value.isTextual()) {
      throw new ApiException(ErrorCode.INVALID_REQUEST, "'" + field + "' must be a string");
    }
    return value.textValue();
  }

  /** A boolean field, or null when absent; any other type is a 400 naming the field. */
  static Boolean bool(ObjectNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null) {
      return null;
    }
    if (!value.isBoolean()) {
      throw new ApiException(ErrorCode.INVALID_REQUEST, "'" + field + "' must be true or false");
    }
    return value.booleanValue();
  }
}
