package org.pentecost.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.pentecost.server.testing.RepoFiles;

/**
 * The deployment files (deploy/compose, deploy/kubernetes) parsed and held to the server they run:
 * every PENTECOST_ variable is a real key and the configuration loads; the probes, the ports; the
 * grace period above the drain; nginx runs the tested sample with only its node lines changed.
 */
class DeployFilesTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final String SECRET = "a-shared-token-secret-of-32-bytes-or-more";
  private static final Pattern COMPOSE_VAR = Pattern.compile("\\$\\{([A-Z_]+)(:[-?])?([^}]*)}");
  private static final Pattern SED = Pattern.compile("-e '?s/((?:[^/\\\\]|\\\\.)+)/([^/]*)/'?");

  private final Duration defaultDrain = new ConfigLoader().load().connections().drainTimeout();

  @Test
  void composeRunsTwoNodesOnRedisBehindTheTestedNginxSample() throws IOException {
    Path composeFile = RepoFiles.find("deploy/compose/docker-compose.yml");
    JsonNode services = YAML.readTree(composeFile.toFile()).get("services");
    assertThat(names(services)).containsExactlyInAnyOrder("redis", "node1", "node2", "nginx");

    Set<String> nodeIds = new HashSet<>();
    for (String node : List.of("node1", "node2")) {
      JsonNode s = services.get(node);
      assertThat(s.get("image").asText()).startsWith("pentecost:");
      assertThat(s.get("expose").toString()).contains("\"8080\"");
      Map<String, String> env = composeEnv(s.get("environment"));
      PentecostConfig config = loads(env);
      assertThat(config.store().isRedis()).isTrue();
      assertThat(config.store().redis().url()).isEqualTo("redis://redis:6379");
      assertThat(config.server().port()).isEqualTo(8080);
      assertThat(config.server().trustedProxies().toString())
          .contains(services.get("nginx").at("/networks/pentecost/ipv4_address").asText() + "/32");
      nodeIds.add(config.server().nodeId());
      assertThat(seconds(s.get("stop_grace_period").asText()))
          .as("stop_grace_period above the drain")
          .isGreaterThan(config.connections().drainTimeout().plusSeconds(5));
      assertThat(s.at("/volumes/0").asText()).endsWith(":/var/lib/pentecost");
    }
    assertThat(nodeIds).hasSize(2);

    JsonNode nginx = services.get("nginx");
    String mount = nginx.at("/volumes/0").asText();
    Path sample =
        composeFile.getParent().resolve(mount.substring(0, mount.indexOf(':'))).normalize();
    assertThat(sample).isEqualTo(RepoFiles.find("deploy/nginx/pentecost.conf"));
    String conf = Files.readString(sample);
    assertThat(conf).contains("listen 80;");
    assertThat(nginx.at("/ports/0").asText()).endsWith(":80");
    String command = String.join(" ", names(nginx.get("command"), true));
    Matcher sed = SED.matcher(command);
    int substitutions = 0;
    while (sed.find()) {
      String before = conf;
      conf = conf.replaceFirst(sed.group(1), sed.group(2));
      assertThat(conf).as("'%s' changes the sample", sed.group()).isNotEqualTo(before);
      substitutions++;
    }
    assertThat(substitutions).isEqualTo(2);
    assertThat(upstream(conf)).containsExactly("server node1:8080", "server node2:8080");
  }

  @Test
  void kubernetesProbesPortsAndGracePeriodFitTheServer() throws IOException {
    Map<String, JsonNode> docs = new LinkedHashMap<>();
    try (InputStream in =
        Files.newInputStream(RepoFiles.find("deploy/kubernetes/pentecost.yaml"))) {
      YAML.readerFor(JsonNode.class)
          .<JsonNode>readValues(YAML.getFactory().createParser(in))
          .forEachRemaining(d -> docs.put(d.get("kind").asText(), d));
    }
    assertThat(docs).containsOnlyKeys("Deployment", "Service", "PodDisruptionBudget");
    JsonNode deployment = docs.get("Deployment");
    JsonNode pod = deployment.at("/spec/template/spec");
    JsonNode container = pod.at("/containers/0");

    Map<String, String> env = new LinkedHashMap<>();
    for (JsonNode e : container.get("env")) {
      String name = e.get("name").asText();
      env.put(name, e.has("value") ? e.get("value").asText() : valueFrom(name, e.get("valueFrom")));
    }
    PentecostConfig config = loads(env);
    assertThat(config.profile()).isEqualTo("prod");

    Map<String, Integer> ports = new LinkedHashMap<>();
    container
        .get("ports")
        .forEach(p -> ports.put(p.get("name").asText(), p.get("containerPort").asInt()));
    assertThat(ports).containsEntry("http", config.server().port());
    assertThat(ports.get("admin"))
        .isEqualTo(Integer.valueOf(env.get("PENTECOST_SERVER_ADMIN_PORT")));

    assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/health/live");
    assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/health/ready");
    assertThat(container.at("/startupProbe/httpGet/path").asText()).isEqualTo("/health/live");
    for (String probe : List.of("livenessProbe", "readinessProbe", "startupProbe")) {
      assertThat(ports).containsKey(container.at("/" + probe + "/httpGet/port").asText());
    }

    long grace = pod.get("terminationGracePeriodSeconds").asLong();
    long preStop = container.at("/lifecycle/preStop/sleep/seconds").asLong();
    Duration drain = config.connections().drainTimeout();
    assertThat(drain).isGreaterThanOrEqualTo(defaultDrain);
    assertThat(Duration.ofSeconds(grace))
        .as("terminationGracePeriodSeconds above preStop + connections.drainTimeout + the stop")
        .isGreaterThan(drain.plusSeconds(preStop + 10));

    assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).isTrue();
    assertThat(pod.at("/securityContext/runAsUser").asInt()).isEqualTo(imageUid());
    assertThat(deployment.at("/spec/replicas").asInt()).isGreaterThan(1);

    JsonNode labels = deployment.at("/spec/template/metadata/labels");
    JsonNode service = docs.get("Service");
    assertThat(service.at("/spec/selector")).isEqualTo(labels);
    assertThat(service.at("/spec/ports/0/targetPort").asText()).isEqualTo("http");
    JsonNode pdb = docs.get("PodDisruptionBudget");
    assertThat(pdb.at("/spec/selector/matchLabels")).isEqualTo(labels);
    assertThat(pdb.at("/spec/minAvailable").asInt())
        .isBetween(1, deployment.at("/spec/replicas").asInt() - 1);
  }

  /** The configuration {@code env} gives; fails on a PENTECOST_ variable that is no key. */
  private static PentecostConfig loads(Map<String, String> env) throws IOException {
    Set<String> known = new HashSet<>(List.of("PENTECOST_PROFILE", "PENTECOST_CONFIG"));
    try (InputStream in = ConfigLoader.class.getResourceAsStream("/pentecost-defaults.yaml")) {
      keyPaths(YAML.readTree(in), "", known);
    }
    List<String> unknown = new ArrayList<>();
    env.keySet().stream()
        .filter(k -> k.startsWith("PENTECOST_") && !known.contains(k))
        .forEach(unknown::add);
    assertThat(unknown)
        .as(
            "PENTECOST_ variables that name no configuration key (PENTECOST_SERVER_ADMIN_PORT"
                + " comes with issue #12's runtime side: server.adminPort)")
        .isEmpty();
    return new ConfigLoader().env(env).load();
  }

  private static void keyPaths(JsonNode node, String prefix, Set<String> into) {
    node.fields()
        .forEachRemaining(
            f -> {
              String path = prefix.isEmpty() ? f.getKey() : prefix + "." + f.getKey();
              into.add(ConfigLoader.envName(path));
              if (f.getValue().isObject()) {
                keyPaths(f.getValue(), path, into);
              }
            });
  }

  /** A compose service's environment, with ${VAR:-default} and ${VAR:?error} filled in. */
  private static Map<String, String> composeEnv(JsonNode environment) {
    Map<String, String> env = new LinkedHashMap<>();
    environment
        .fields()
        .forEachRemaining(
            f -> {
              Matcher m = COMPOSE_VAR.matcher(f.getValue().asText());
              env.put(f.getKey(), m.replaceAll(r -> ":-".equals(r.group(2)) ? r.group(3) : SECRET));
            });
    return env;
  }

  private static String valueFrom(String name, JsonNode from) {
    if (from.has("secretKeyRef")) {
      return SECRET;
    }
    assertThat(from.at("/fieldRef/fieldPath").asText()).as(name).isEqualTo("metadata.name");
    return "pentecost-7d4b9c-x2k8q";
  }

  private static int imageUid() throws IOException {
    Matcher m =
        Pattern.compile("(?m)^uid=(\\d+)$")
            .matcher(Files.readString(RepoFiles.find("deploy/container/build-image.sh")));
    assertThat(m.find()).isTrue();
    return Integer.parseInt(m.group(1));
  }

  private static List<String> upstream(String conf) {
    Matcher m = Pattern.compile("upstream pentecost \\{([^}]*)}").matcher(conf);
    assertThat(m.find()).isTrue();
    List<String> servers = new ArrayList<>();
    Matcher s = Pattern.compile("(?m)^\\s*(server \\S+?)(?: |;)").matcher(m.group(1));
    while (s.find()) {
      servers.add(s.group(1));
    }
    return servers;
  }

  private static Duration seconds(String text) {
    return Durations.parse(text);
  }

  private static List<String> names(JsonNode node) {
    return names(node, false);
  }

  private static List<String> names(JsonNode node, boolean values) {
    List<String> out = new ArrayList<>();
    if (values) {
      node.forEach(v -> out.add(v.asText()));
    } else {
      node.fieldNames().forEachRemaining(out::add);
    }
    return out;
  }
}
