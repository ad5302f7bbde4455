package org.pentecost.server.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Builds a {@link PentecostConfig} from layers, each overriding the one before: built-in defaults,
 * the profile's defaults, a YAML file, the environment, then command-line flags.
 *
 * <p>Environment variables are derived from the key paths, so every key has one: {@code
 * server.dataDir} is {@code PENTECOST_SERVER_DATA_DIR}. Unknown keys in a file are an error, so
 * that a typo does not silently fall back to a default.
 */
public final class ConfigLoader {
  private static final String ENV_PREFIX = "PENTECOST_";
  private static final ObjectMapper YAML =
      new ObjectMapper(new YAMLFactory())
          .registerModule(Durations.jacksonModule())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private Path file;
  private Map<String, String> env = Map.of();
  private final Map<String, String> flags = new LinkedHashMap<>();

  /** A YAML config file, or null for none. */
  public ConfigLoader file(Path file) {
    this.file = file;
    return this;
  }

  /** The process environment (tests pass their own map). */
  public ConfigLoader env(Map<String, String> env) {
    this.env = env;
    return this;
  }

  /** Overrides one key path (e.g. {@code server.port}) with a flag's value; null is ignored. */
  public ConfigLoader flag(String path, Object value) {
    if (value != null) {
      flags.put(path, String.valueOf(value));
    }
    return this;
  }

  public PentecostConfig load() {
    ObjectNode defaults = readResource("pentecost-defaults.yaml");
    ObjectNode user = JsonNodeFactory.instance.objectNode();
    if (file != null) {
      merge(user, readFile(file), "");
    }
    String envProfile = env.get(ENV_PREFIX + "PROFILE");
    String profile =
        flags.getOrDefault(
            "profile",
            envProfile != null
                ? envProfile
                : user.path("profile").asText(defaults.path("profile").asText()));
    if (!Set.of("dev", "staging", "prod").contains(profile)) {
      throw new ConfigException("profile must be dev, staging or prod, not '" + profile + "'");
    }
    ObjectNode tree = defaults.deepCopy();
    merge(tree, readResource("pentecost-profile-" + profile + ".yaml"), "");
    Set<String> explicit = new LinkedHashSet<>();
    merge(tree, user, "");
    collectLeaves(user, "", explicit);
    applyEnv(tree, "", explicit);
    for (Map.Entry<String, String> f : flags.entrySet()) {
      setPath(tree, f.getKey(), f.getValue());
      explicit.add(f.getKey());
    }
    tree.put("profile", profile);
    PentecostConfig config;
    try {
      config = YAML.treeToValue(tree, PentecostConfig.class);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ConfigException("invalid configuration: " + e.getOriginalMessage(), e);
    }
    validate(config, explicit);
    return config;
  }

  /** {@code server.publicUrl}: empty, or an absolute http(s) URL with a host, no query. */
  private static void publicUrl(String url) {
    if (url.isBlank()) {
      return;
    }
    java.net.URI uri;
    try {
      uri = new java.net.URI(url);
    } catch (java.net.URISyntaxException e) {
      uri = null;
    }
    if (uri == null
        || !("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
        || uri.getHost() == null
        || uri.getRawQuery() != null
        || uri.getRawFragment() != null
        || uri.getRawUserInfo() != null) {
      throw new ConfigException(
          "server.publicUrl must be an absolute http or https URL such as"
              + " https://pentecost.example.org (no query, fragment or user), not '"
              + url
              + "'");
    }
  }

  private static void validate(PentecostConfig config, Set<String> explicit) {
    var auth = config.auth();
    if (!List.of("auto", "nio", "epoll", "io_uring").contains(config.server().transport())) {
      throw new ConfigException(
          "server.transport must be auto, nio, epoll or io_uring, not '"
              + config.server().transport()
              + "'");
    }
    if (!auth.mode().equals("hmac") && !auth.mode().equals("jwks")) {
      throw new ConfigException("auth.mode must be hmac or jwks, not '" + auth.mode() + "'");
    }
    if (auth.isJwks() && (auth.jwksUrl().isBlank() || auth.issuer().isBlank())) {
      throw new ConfigException("auth.mode=jwks needs auth.jwksUrl and auth.issuer");
    }
    if (config.isProd()) {
      boolean explicitMode = explicit.contains("auth.mode");
      boolean explicitKey =
          auth.isJwks() ? explicit.contains("auth.jwksUrl") : explicit.contains("auth.hmacSecret");
      if (!explicitMode || !explicitKey) {
        throw new ConfigException(
            "the prod profile needs an explicit auth configuration: set auth.mode and either"
                + " auth.jwksUrl + auth.issuer (jwks) or auth.hmacSecret (hmac), e.g."
                + " PENTECOST_AUTH_MODE=jwks PENTECOST_AUTH_JWKS_URL=... PENTECOST_AUTH_ISSUER=...");
      }
    }
    if (config.server().port() < 0 || config.server().port() > 65535) {
      throw new ConfigException("server.port must be between 0 and 65535");
    }
    int admin = config.server().adminPort();
    if (admin < 0 || admin > 65535 || (admin != 0 && admin == config.server().port())) {
      throw new ConfigException(
          "server.adminPort must be between 1 and 65535 and differ from server.port (0: off)");
    }
    publicUrl(config.server().publicUrl());
    var tls = config.server().tls();
    if (tls.certFile().isBlank() != tls.keyFile().isBlank()) {
      throw new ConfigException("server.tls.certFile and server.tls.keyFile go together");
    }
    if (tls.selfSigned() && !tls.certFile().isBlank()) {
      throw new ConfigException(
          "server.tls: either certFile and keyFile, or selfSigned (--tls-self-signed), not both");
    }
    if (config.server().maxEventLoopStall().toMillis() < 100) {
      throw new ConfigException("server.maxEventLoopStall must be at least 100ms");
    }
    if (config.sessions().languages().isEmpty()) {
      throw new ConfigException("sessions.languages must not be empty");
    }
    var c = config.connections();
    if (!(c.refreshAt().compareTo(c.warnAt()) <= 0 && c.warnAt().compareTo(c.maxDuration()) <= 0)) {
      throw new ConfigException("connections: refreshAt <= warnAt <= maxDuration is required");
    }
    if (c.maxFrameBytes() < 1024 || c.maxMessageBytes() < c.maxFrameBytes()) {
      throw new ConfigException(
          "connections: maxFrameBytes must be >= 1024 and maxMessageBytes >= maxFrameBytes");
    }
    if (config.sessions().maxListeners() < 1) {
      throw new ConfigException("sessions.maxListeners must be positive");
    }
    for (String cidr :
        concat(config.limits().trustedNetworks(), config.server().trustedProxies())) {
      try {
        org.pentecost.server.util.Cidr.parse(cidr);
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            "not a network in CIDR form: '" + cidr + "' (e.g. 203.0.113.0/24)");
      }
    }
    if (config.limits().sessionCreatesPerHour() < 1
        || config.limits().httpRequestsPerSecond() < 1
        || config.limits().httpBurst() < 1) {
      throw new ConfigException("limits must be positive");
    }
    StoreAndBackendRules.validateStore(config);
    StoreAndBackendRules.validateBackend(config.backend());
  }

  /** A Redis URL fit for logs and messages: the password, if any, replaced by {@code ***}. */
  public static String redactPassword(String url) {
    return url.replaceFirst("^([a-z]+://[^:@/]*:)[^@/]*@", "$1***@");
  }

  static java.util.List<String> concat(java.util.List<String> a, java.util.List<String> b) {
    java.util.List<String> all = new java.util.ArrayList<>(a);
    all.addAll(b);
    return all;
  }

  private void applyEnv(ObjectNode node, String prefix, Set<String> explicit) {
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      String path = prefix.isEmpty() ? field.getKey() : prefix + "." + field.getKey();
      if (field.getValue().isObject()) {
        String pairs = envValue(path);
        if (pairs != null) {
          // A map such as backend.routes: "key=value,key=value".
          node.set(field.getKey(), pairs(path, pairs));
          collectLeaves(node.get(field.getKey()), path, explicit);
        } else {
          applyEnv((ObjectNode) field.getValue(), path, explicit);
        }
        continue;
      }
      String value = envValue(path);
      if (value != null) {
        setPath(node, field.getKey(), value);
        explicit.add(path);
      }
    }
  }

  /**
   * The environment's value for a key path: {@code PENTECOST_X}, or the content of the file that
   * {@code PENTECOST_X_FILE} names (trimmed), as Docker and Kubernetes secrets are mounted. Both
   * set is an error; null when neither is.
   */
  private String envValue(String path) {
    String name = envName(path);
    String direct = env.get(name);
    String file = env.get(name + "_FILE");
    if (file == null) {
      return direct;
    }
    if (direct != null) {
      throw new ConfigException(name + " and " + name + "_FILE are both set; set one of them");
    }
    try {
      return Files.readString(Path.of(file)).trim();
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(
          name + "_FILE names " + file + ", which cannot be read: " + e.getMessage(), e);
    }
  }

  private static ObjectNode pairs(String path, String text) {
    ObjectNode map = JsonNodeFactory.instance.objectNode();
    for (String pair : text.split("[,\\n]")) {
      if (pair.isBlank()) {
        continue;
      }
      int eq = pair.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException(
            envName(path) + " must be key=value pairs separated by commas, not '" + pair + "'");
      }
      map.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
    }
    return map;
  }

  /**
   * The environment variable for a key path: {@code server.dataDir} → {@code
   * PENTECOST_SERVER_DATA_DIR}.
   */
  public static String envName(String path) {
    return ENV_PREFIX
        + path.replaceAll("([a-z0-9])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(Locale.ROOT);
  }

  private static void setPath(ObjectNode root, String path, String value) {
    String[] parts = path.split("\\.");
    ObjectNode node = root;
    for (int i = 0; i < parts.length - 1; i++) {
      JsonNode child = node.get(parts[i]);
      if (child == null || !child.isObject()) {
        throw new ConfigException("unknown configuration key: " + path);
      }
      node = (ObjectNode) child;
    }
    String leaf = parts[parts.length - 1];
    JsonNode existing = node.get(leaf);
    if (existing == null && node != root) {
      throw new ConfigException("unknown configuration key: " + path);
    }
    if (existing != null && existing.isObject()) {
      node.set(leaf, pairs(path, value));
    } else if (existing != null && existing.isArray()) {
      ArrayNode array = node.putArray(leaf);
      Arrays.stream(value.split("[,\\n]"))
          .map(String::trim)
          .filter(s -> !s.isEmpty())
          .forEach(array::add);
    } else {
      node.set(leaf, TextNode.valueOf(value));
    }
  }

  private static void merge(ObjectNode target, JsonNode source, String prefix) {
    if (source == null || source.isNull() || source.isMissingNode()) {
      return;
    }
    if (!source.isObject()) {
      throw new ConfigException(
          "configuration " + (prefix.isEmpty() ? "file" : prefix) + " must be a mapping");
    }
    Iterator<Map.Entry<String, JsonNode>> fields = source.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode existing = target.get(field.getKey());
      if (existing != null && existing.isObject() && field.getValue().isObject()) {
        merge((ObjectNode) existing, field.getValue(), prefix + field.getKey() + ".");
      } else {
        target.set(field.getKey(), field.getValue().deepCopy());
      }
    }
  }

  private static void collectLeaves(JsonNode node, String prefix, Set<String> out) {
    node.fields()
        .forEachRemaining(
            f -> {
              String path = prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey();
              if (f.getValue().isObject()) {
                collectLeaves(f.getValue(), path, out);
              } else {
                out.add(path);
              }
            });
  }

  private static ObjectNode readResource(String name) {
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new ConfigException("missing built-in resource " + name);
      }
      JsonNode node = YAML.readTree(in);
      return node instanceof ObjectNode o ? o : JsonNodeFactory.instance.objectNode();
    } catch (IOException e) {
      throw new ConfigException("cannot read built-in " + name, e);
    }
  }

  private static JsonNode readFile(Path path) {
    if (!Files.isRegularFile(path)) {
      throw new ConfigException("config file not found: " + path);
    }
    try {
      return YAML.readTree(path.toFile());
    } catch (IOException e) {
      throw new ConfigException("config file " + path + " is not valid YAML: " + e.getMessage(), e);
    }
  }
}
