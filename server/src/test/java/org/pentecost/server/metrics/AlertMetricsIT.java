package org.pentecost.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.pentecost.server.testing.Clients;
import org.pentecost.server.testing.PromQl;
import org.pentecost.server.testing.Promtool;
import org.pentecost.server.testing.RedisTests;
import org.pentecost.server.testing.RepoFiles;
import org.pentecost.server.testing.Talker;
import org.pentecost.server.testing.TestBackend;
import org.pentecost.server.testing.TestServer;
import org.pentecost.server.testing.WsClient;

/**
 * The alert rules ({@code deploy/prometheus/alerts.yml}) and the Grafana dashboard ({@code
 * deploy/grafana/}) read only metrics, and labels, that a real node's {@code /metrics} exposes once
 * it has done some work (on Redis, with a backend: a session, a listener, a speaker streaming, a
 * listener refused SESSION_FULL, a webhook); promtool accepts the rules and their unit tests pass.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AlertMetricsIT {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][\\w:]*)(\\{([^}]*)\\})? ");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_]\\w*)=\"");

  /** Series Prometheus makes itself, and labels it adds to every scraped series. */
  private static final Set<String> PROMETHEUS_SERIES = Set.of("up");

  private static final Set<String> PROMETHEUS_LABELS = Set.of("job", "instance");

  /**
   * Meters that other work brings, for the failure message while it is not merged yet: the rules
   * use them as that work names them.
   */
  private static final Map<String, String> BROUGHT_BY =
      Map.of(
          "pentecost_ws_rejections_total",
          "issue #12's runtime side (WebSocket rejections by code)",
          "pentecost_backend_breaker_state",
          "issue #10 (webhooks sent through BackendCaller)",
          "pentecost_backend_calls_total",
          "issue #10 (webhooks sent through BackendCaller)");

  private TestBackend backend;
  private TestServer node;

  /** Metric name as exposed (suffixes included: _bucket, _count, _sum, _total) → its labels. */
  private final Map<String, Set<String>> exposed = new HashMap<>();

  @BeforeAll
  void exerciseNode(@TempDir Path dir) throws Exception {
    RedisTests.requireRedis();
    backend = new TestBackend();
    Map<String, String> settings =
        new LinkedHashMap<>(RedisTests.nodeSettings(RedisTests.URL, RedisTests.randomPrefix()));
    settings.put("sessions.maxListeners", "1");
    settings.put("limits.sessionCreatesPerHour", "1");
    settings.put("backend.signingSecret", TestBackend.SECRET);
    settings.put("backend.webhooks", backend.url("/hooks"));
    node = TestServer.start(dir, settings);
    String token = node.token("alice");
    Clients clients = Clients.of(node, token);
    String session = node.createSession(token, "en");
    node.get("/sessions/no-such-session"); // a 404 among the HTTP meters
    // a second creation within the hour is refused by the creation limit (429)
    assertThat(node.send("POST", "/sessions", token, "{\"sourceLanguage\":\"en\"}").status())
        .isEqualTo(429);

    try (WsClient listener = clients.listener(session);
        WsClient speaker = clients.speaker(session)) {
      Talker talker = Talker.start(speaker, 30);
      talker.join(10_000);
      listener.nextFrame();
      // the session holds one listener: the next is refused with SESSION_FULL
      try (WsClient refused = WsClient.connect(node, Clients.query(session))) {
        refused.awaitClose();
      }
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> node.metric("pentecost_audio_frames_out_total") > 0);
    }
    assertThat(node.send("DELETE", "/sessions/" + session, token, null).status()).isEqualTo(204);
    // session.created goes to the webhook through the backend caller, whose meters then exist
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (backend.requests("/hooks").isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    for (String line : node.get("/metrics").body().lines().toList()) {
      Matcher m = SAMPLE.matcher(line);
      if (!line.startsWith("#") && m.find()) {
        Set<String> labels = exposed.computeIfAbsent(m.group(1), k -> new HashSet<>());
        if (m.group(3) != null) {
          Matcher l = LABEL.matcher(m.group(3));
          while (l.find()) {
            labels.add(l.group(1));
          }
        }
      }
    }
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  @Test
  void alertRulesUseOnlyExposedMetricsAndLabels() throws Exception {
    JsonNode rules = YAML.readTree(RepoFiles.find("deploy/prometheus/alerts.yml").toFile());
    List<String> exprs = new ArrayList<>();
    rules
        .get("groups")
        .forEach(g -> g.get("rules").forEach(r -> exprs.add(r.get("expr").asText())));
    assertThat(exprs).hasSizeGreaterThanOrEqualTo(9);
    assertThat(missing(exprs)).isEmpty();
  }

  @Test
  void dashboardUsesOnlyExposedMetricsAndLabels() throws Exception {
    JsonNode dashboard =
        JSON.readTree(RepoFiles.find("deploy/grafana/pentecost-dashboard.json").toFile());
    List<String> exprs = new ArrayList<>();
    dashboard
        .get("panels")
        .forEach(p -> p.path("targets").forEach(t -> exprs.add(t.get("expr").asText())));
    for (JsonNode v : dashboard.path("templating").path("list")) {
      String q = v.path("query").path("query").asText("");
      Matcher m = Pattern.compile("label_values\\(([^,)]+)").matcher(q);
      if (m.find()) {
        exprs.add(m.group(1));
      }
    }
    assertThat(exprs).hasSizeGreaterThanOrEqualTo(20);
    assertThat(missing(exprs)).isEmpty();
  }

  @Test
  void promtoolAcceptsTheRulesAndTheirTestsPass() throws Exception {
    Path rules = RepoFiles.find("deploy/prometheus/alerts.yml");
    Promtool.Result check = Promtool.run("check", "rules", rules.toString());
    assertThat(check.exitCode()).as(check.output()).isZero();
    assertThat(check.output()).contains("SUCCESS");
    Path tests = RepoFiles.find("deploy/prometheus/alerts_test.yml");
    Promtool.Result test = Promtool.run("test", "rules", tests.toString());
    assertThat(test.exitCode()).as(test.output()).isZero();
    assertThat(Files.readString(tests)).contains("PentecostBackendBreakerOpen");
  }

  /** What {@code exprs} read that /metrics does not expose: "metric" or "metric{label}". */
  private List<String> missing(List<String> exprs) {
    List<String> missing = new ArrayList<>();
    for (String expr : exprs) {
      List<PromQl.Selector> selectors = PromQl.selectors(expr);
      assertThat(selectors).as("metrics read by %s", expr).isNotEmpty();
      for (PromQl.Selector s : selectors) {
        if (PROMETHEUS_SERIES.contains(s.metric())) {
          continue;
        }
        Set<String> labels = exposed.get(s.metric());
        if (labels == null) {
          String by = BROUGHT_BY.get(s.metric());
          missing.add(
              s.metric() + (by == null ? "" : " [comes with " + by + "]") + " in: " + expr.strip());
          continue;
        }
        for (String label : s.labels()) {
          if (!labels.contains(label) && !PROMETHEUS_LABELS.contains(label)) {
            missing.add(s.metric() + "{" + label + "} in: " + expr.strip());
          }
        }
      }
    }
    return missing;
  }
}
