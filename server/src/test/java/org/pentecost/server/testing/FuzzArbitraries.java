package org.pentecost.server.testing;

import java.nio.charset.StandardCharsets;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

/**
 * Generators of what an attacker sends, for the property-based fuzz tests ({@code *PropertyTest},
 * {@code *PropertyIT}): JSON values of any shape as text, JSON objects over a vocabulary of field
 * names, byte strings that are almost JSON, WebSocket action messages and audio payloads.
 *
 * <p>JSON text is built here rather than by a library, so that it can hold what a library would not
 * write: lone surrogates ({@code "\ud800"}), numbers of a thousand digits, nesting thousands deep,
 * duplicated keys, trailing garbage.
 */
public final class FuzzArbitraries {
  private FuzzArbitraries() {}

  /** Strings of every kind: empty, blank, control characters, lone surrogates, long, huge. */
  public static Arbitrary<String> strings() {
    return Arbitraries.frequencyOf(
        Tuple.of(4, Arbitraries.strings().all().ofMaxLength(12)),
        Tuple.of(2, Arbitraries.strings().withCharRange('\u0000', '\u001f').ofMaxLength(4)),
        Tuple.of(2, Arbitraries.strings().withCharRange('\ud800', '\udfff').ofMaxLength(3)),
        Tuple.of(2, Arbitraries.strings().alpha().ofMaxLength(3)),
        Tuple.of(1, Arbitraries.strings().all().ofMinLength(200).ofMaxLength(2_000)),
        Tuple.of(1, Arbitraries.integers().between(10_000, 20_000).map("x"::repeat)));
  }

  /** A JSON string literal holding {@code s}; surrogates are always escaped, as {@code \\uXXXX}. */
  public static String quote(String s) {
    StringBuilder b = new StringBuilder(s.length() + 2).append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20 || Character.isSurrogate(c)) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }

  /** JSON numbers as text, ordinary and extreme (long, tiny, huge exponents, 1,200 digits). */
  public static Arbitrary<String> numbers() {
    return Arbitraries.oneOf(
        Arbitraries.longs().map(n -> Long.toString(n)),
        Arbitraries.doubles().map(d -> Double.toString(d)).filter(t -> !t.contains("N")),
        Arbitraries.of("-0", "0.0", "1e999999999", "-1E-999999999", "1.5e308", "4.9e-324"),
        Arbitraries.integers().between(300, 1_200).map(n -> "9".repeat(n)));
  }

  /** Any JSON value, nested up to {@code depth} levels, as text. */
  public static Arbitrary<String> jsonValues(int depth) {
    Arbitrary<String> scalar =
        Arbitraries.oneOf(
            Arbitraries.of("null", "true", "false"),
            numbers(),
            strings().map(FuzzArbitraries::quote));
    if (depth <= 0) {
      return scalar;
    }
    Arbitrary<String> inner = Arbitraries.lazy(() -> jsonValues(depth - 1));
    Arbitrary<String> array = inner.list().ofMaxSize(4).map(l -> "[" + String.join(",", l) + "]");
    Arbitrary<String> object =
        Combinators.combine(strings(), inner)
            .as((k, v) -> quote(k) + ":" + v)
            .list()
            .ofMaxSize(4)
            .map(l -> "{" + String.join(",", l) + "}");
    return Arbitraries.frequencyOf(Tuple.of(3, scalar), Tuple.of(1, array), Tuple.of(1, object));
  }

  /**
   * JSON objects whose fields are drawn mostly from {@code names} (and sometimes {@code goodValues}
   * for their values), the rest arbitrary: what a client of one endpoint might send.
   */
  public static Arbitrary<String> objects(List<String> names, List<String> goodValues) {
    Arbitrary<String> name =
        Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of(names)), Tuple.of(1, strings()));
    Arbitrary<String> value =
        Arbitraries.frequencyOf(
            Tuple.of(4, Arbitraries.of(goodValues).map(FuzzArbitraries::quote)),
            Tuple.of(3, jsonValues(2)));
    return Combinators.combine(name, value)
        .as((k, v) -> quote(k) + ":" + v)
        .list()
        .ofMaxSize(4)
        .map(l -> "{" + String.join(",", l) + "}");
  }

  /** Nesting thousands deep, which a recursive parser or writer might not survive. */
  public static Arbitrary<String> deepNesting() {
    return Combinators.combine(
            Arbitraries.integers().between(1, 5_000), Arbitraries.of("[]", "{\"a\":}"))
        .as(
            (n, kind) ->
                kind.equals("[]")
                    ? "[".repeat(n) + "]".repeat(n)
                    : "{\"a\":".repeat(n) + "1" + "}".repeat(n));
  }

  /**
   * Bodies an HTTP endpoint may receive: JSON objects over its field names, any JSON value, deep
   * nesting, almost-JSON (cut short, trailing garbage, a byte order mark), arbitrary bytes and
   * invalid UTF-8.
   */
  public static Arbitrary<byte[]> bodies(List<String> names, List<String> goodValues) {
    Arbitrary<String> object = objects(names, goodValues);
    Arbitrary<String> text =
        Arbitraries.frequencyOf(
            Tuple.of(6, object),
            Tuple.of(2, jsonValues(3)),
            Tuple.of(1, deepNesting()),
            Tuple.of(
                1,
                Combinators.combine(object, Arbitraries.integers().between(0, 40))
                    .as((o, n) -> o.substring(0, Math.min(n, o.length())))),
            Tuple.of(
                1,
                Combinators.combine(
                        object, Arbitraries.of("x", "}", ",", " {}", "\u0000", "]", " 1"))
                    .as((o, junk) -> o + junk)),
            Tuple.of(
                1,
                Combinators.combine(object, object)
                    .as(
                        (a, b) ->
                            a.isEmpty() || a.equals("{}")
                                ? b
                                : a.substring(0, a.length() - 1) + "," + b.substring(1))),
            Tuple.of(1, object.map(o -> "\ufeff" + o)),
            Tuple.of(1, Arbitraries.of("", " ", "\n\t ", "null")));
    Arbitrary<byte[]> utf8 = text.map(s -> s.getBytes(StandardCharsets.UTF_8));
    return Arbitraries.frequencyOf(
        Tuple.of(8, utf8),
        Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMaxSize(64)),
        Tuple.of(
            1,
            Combinators.combine(
                    utf8, Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(4))
                .as(FuzzArbitraries::spliceInvalid)));
  }

  /** {@code text} with {@code junk} (high bytes, mostly invalid UTF-8) put into its middle. */
  private static byte[] spliceInvalid(byte[] text, byte[] junk) {
    int at = text.length / 2;
    byte[] out = new byte[text.length + junk.length];
    System.arraycopy(text, 0, out, 0, at);
    for (int i = 0; i < junk.length; i++) {
      out[at + i] = (byte) (junk[i] | 0x80);
    }
    System.arraycopy(text, at, out, at + junk.length, text.length - at);
    return out;
  }

  /** Field values of a WebSocket action message, right ones and wrong ones, by field. */
  private static Arbitrary<String> wsField(String name) {
    Arbitrary<String> any = jsonValues(2);
    Arbitrary<String> good =
        switch (name) {
          case "action" ->
              Arbitraries.of(
                      "heartbeat",
                      "switchLanguage",
                      "getSessionStatus",
                      "refreshConnection",
                      "publishCaption",
                      "",
                      "HEARTBEAT",
                      "$default",
                      "$connect",
                      "$disconnect")
                  .map(FuzzArbitraries::quote);
          case "targetLanguage" ->
              Arbitraries.of("en", "es", "fr", "ES", " de ", "xx", "").map(FuzzArbitraries::quote);
          case "final" -> Arbitraries.of("true", "false");
          default -> strings().map(FuzzArbitraries::quote);
        };
    return Arbitraries.frequencyOf(Tuple.of(3, good), Tuple.of(1, any));
  }

  /**
   * Text messages a WebSocket client may send: action objects whose {@code action}, {@code
   * requestId}, {@code targetLanguage}, {@code text} and {@code final} are right, wrong, of the
   * wrong type, huge or hold lone surrogates; any JSON value; nesting thousands deep; text that is
   * not JSON at all.
   */
  public static Arbitrary<String> wsMessages() {
    List<String> names = List.of("action", "requestId", "targetLanguage", "text", "final");
    Arbitrary<String> field =
        Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.of(names)), Tuple.of(1, strings()))
            .flatMap(n -> wsField(n).map(v -> quote(n) + ":" + v));
    Arbitrary<String> action =
        Combinators.combine(wsField("action"), field.list().ofMaxSize(4))
            .as(
                (a, rest) -> {
                  List<String> all = new java.util.ArrayList<>(rest);
                  all.add(0, "\"action\":" + a);
                  return "{" + String.join(",", all) + "}";
                });
    return Arbitraries.frequencyOf(
        Tuple.of(8, action),
        Tuple.of(2, field.list().ofMaxSize(4).map(l -> "{" + String.join(",", l) + "}")),
        Tuple.of(2, jsonValues(3)),
        Tuple.of(1, deepNesting()),
        Tuple.of(
            1, strings().filter(t -> t.chars().noneMatch(ch -> Character.isSurrogate((char) ch)))));
  }

  /** Binary payloads of 0 to {@code maxBytes} bytes, the edges (0, 1, the maximum) often. */
  public static Arbitrary<byte[]> payloads(int maxBytes) {
    Arbitrary<Integer> size =
        Arbitraries.frequencyOf(
            Tuple.of(3, Arbitraries.integers().between(0, 64)),
            Tuple.of(3, Arbitraries.integers().between(0, maxBytes)),
            Tuple.of(1, Arbitraries.of(0, 1, maxBytes - 1, maxBytes)));
    return Combinators.combine(size, Arbitraries.longs())
        .as(
            (n, seed) -> {
              byte[] b = new byte[n];
              new java.util.Random(seed).nextBytes(b);
              return b;
            });
  }
}
