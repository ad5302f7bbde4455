package org.pentecost.server.ws;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.pentecost.protocol.CloseCode;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.protocol.Messages;

/**
 * docs/asyncapi.yaml and docs/protocol.md describe the same protocol: every client action, server
 * message type and close code named in protocol.md's tables is in the AsyncAPI document, and every
 * one there is in those tables; both agree with the protocol module's constants.
 */
class AsyncApiProtocolTest {
  private static final Pattern CODE = Pattern.compile("`([^`]+)`");

  private final JsonNode asyncApi = readYaml(docs().resolve("asyncapi.yaml"));
  private final List<String> protocol = readLines(docs().resolve("protocol.md"));

  @Test
  void actionsAreTheSame() {
    assertThat(asyncApiNames("action")).isEqualTo(tableNames("## Client actions", 0));
  }

  @Test
  void messageTypesAreTheSame() {
    assertThat(asyncApiNames("type")).isEqualTo(tableNames("## Server messages", 0));
  }

  @Test
  void closeCodesAreTheSameAndTheProtocolModules() {
    Set<String> documented = new TreeSet<>();
    asyncApi.at("/channels/ws/x-close-codes").fieldNames().forEachRemaining(documented::add);
    Set<String> table = new TreeSet<>();
    for (String row : table("### Close codes", 0)) {
      table.add(firstCell(row));
    }
    assertThat(documented).isEqualTo(table);
    Set<String> module = new TreeSet<>();
    Arrays.stream(CloseCode.values()).forEach(c -> module.add(Integer.toString(c.code())));
    assertThat(documented).isEqualTo(module);
  }

  @Test
  void errorCodesAreTheProtocolModulesAndCoverProtocolMd() {
    Set<String> documented = new TreeSet<>();
    asyncApi.at("/components/schemas/ErrorCode/enum").forEach(c -> documented.add(c.asText()));
    Set<String> module = new TreeSet<>();
    Arrays.stream(ErrorCode.values()).forEach(c -> module.add(c.name()));
    assertThat(documented).isEqualTo(module);
    Set<String> named = new TreeSet<>(tableNames("## Client actions", 1));
    for (String row : table("### Close codes", 0)) {
      named.addAll(codes(row.split("\\|")[2]));
    }
    named.remove("–");
    assertThat(documented).containsAll(named);
    assertThat(named).contains("CONNECTION_REFUSED", "INTEGRATION_FAILED");
  }

  @Test
  void theProtocolModulesNamesAreAllDocumented() throws IllegalAccessException {
    Set<String> documented = new TreeSet<>(asyncApiNames("action"));
    documented.addAll(asyncApiNames("type"));
    for (Field f : Messages.class.getFields()) {
      String name = f.getName();
      if (Modifier.isStatic(f.getModifiers())
          && f.getType() == String.class
          && !name.equals("PATH")
          && !name.startsWith("Q_")
          && !name.startsWith("ROLE_")) {
        assertThat(documented).as(name).contains((String) f.get(null));
      }
    }
  }

  @Test
  void everyOperationNamesMessagesOfTheChannelAndEveryMessageHasAnOperation() {
    Set<String> channel = new TreeSet<>();
    asyncApi.at("/channels/ws/messages").fieldNames().forEachRemaining(channel::add);
    Set<String> used = new TreeSet<>();
    asyncApi
        .get("operations")
        .forEach(
            op -> {
              List<JsonNode> refs = new ArrayList<>();
              op.get("messages").forEach(refs::add);
              op.path("reply").path("messages").forEach(refs::add);
              for (JsonNode ref : refs) {
                String r = ref.get("$ref").asText();
                assertThat(r).startsWith("#/channels/ws/messages/");
                used.add(r.substring(r.lastIndexOf('/') + 1));
              }
            });
    assertThat(channel).containsAll(used);
    assertThat(used).containsAll(channel);
    assertThat(channel)
        .isEqualTo(
            new TreeSet<>(
                iterable(asyncApi.at("/components/messages").fieldNames()).stream().toList()));
  }

  /**
   * What the AsyncAPI messages' payloads fix as {@code field} ({@code action} or {@code type}), and
   * the route keys of the messages routed to a backend ({@code $default}).
   */
  private Set<String> asyncApiNames(String field) {
    Set<String> names = new TreeSet<>();
    asyncApi
        .at("/components/messages")
        .forEach(
            m -> {
              JsonNode value = m.at("/payload/properties/" + field + "/const");
              if (value.isTextual()) {
                names.add(value.asText());
              }
              if (field.equals("action") && m.has("x-route-key")) {
                names.add(m.get("x-route-key").asText());
              }
            });
    return names;
  }

  /** The backticked names of column {@code column}'s cells of the n-th table after a heading. */
  private Set<String> tableNames(String heading, int n) {
    Set<String> names = new TreeSet<>();
    for (String row : table(heading, n)) {
      names.addAll(codes(row.split("\\|")[1]));
    }
    return names;
  }

  private static Set<String> codes(String cell) {
    Set<String> names = new TreeSet<>();
    Matcher m = CODE.matcher(cell);
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }

  private static String firstCell(String row) {
    return row.split("\\|")[1].trim();
  }

  /** The body rows of the n-th (from 0) table below {@code heading}, before the next heading. */
  private List<String> table(String heading, int n) {
    int i = protocol.indexOf(heading);
    assertThat(i).as("protocol.md has " + heading).isGreaterThanOrEqualTo(0);
    int seen = -1;
    List<String> rows = new ArrayList<>();
    for (i = i + 1; i < protocol.size() && !protocol.get(i).startsWith("#"); i++) {
      if (protocol.get(i).startsWith("| ---")) {
        seen++;
        for (int j = i + 1; j < protocol.size() && protocol.get(j).startsWith("|"); j++) {
          if (seen == n) {
            rows.add(protocol.get(j));
          }
        }
      }
    }
    assertThat(rows).as("table " + n + " under " + heading).isNotEmpty();
    return rows;
  }

  private static <T> List<T> iterable(java.util.Iterator<T> it) {
    List<T> list = new ArrayList<>();
    it.forEachRemaining(list::add);
    return list;
  }

  /** The repository's docs/, from the module's directory (where tests run) or the root. */
  private static Path docs() {
    for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
      if (Files.exists(p.resolve("docs/protocol.md"))) {
        return p.resolve("docs");
      }
    }
    throw new IllegalStateException("no docs/protocol.md above " + Path.of("").toAbsolutePath());
  }

  private static JsonNode readYaml(Path file) {
    try {
      return new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<String> readLines(Path file) {
    try {
      return Files.readAllLines(file);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
