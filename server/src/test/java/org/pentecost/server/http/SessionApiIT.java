package org.pentecost.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pentecost.server.testing.SharedNode;
import org.pentecost.server.testing.TestServer.Response;

/** The session HTTP API through a real node and a real HTTP client. */
class SessionApiIT extends SharedNode {
  SessionApiIT() {
    super(Map.of("limits.sessionCreatesPerHour", "100000"));
  }

  @Test
  void createReturns201WithTheSessionAndLocation() {
    Response r =
        server.send(
            "POST", "/sessions", alice, "{\"sourceLanguage\":\"es\",\"qualityTier\":\"premium\"}");
    assertThat(r.status()).isEqualTo(201);
    JsonNode s = r.json();
    assertThat(s.get("sessionId").asText()).matches("[a-z]+-[a-z]+-[1-9][0-9]{2}");
    assertThat(s.get("sourceLanguage").asText()).isEqualTo("es");
    assertThat(s.get("qualityTier").asText()).isEqualTo("premium");
    assertThat(s.get("status").asText()).isEqualTo("active");
    assertThat(s.get("listenerCount").asInt()).isZero();
    assertThat(s.get("listenersByLanguage").size()).isZero();
    assertThat(s.get("expiresAt").asLong() - s.get("createdAt").asLong())
        .isEqualTo(Duration.ofHours(24).toMillis());
    assertThat(r.header("Location")).isEqualTo("/sessions/" + s.get("sessionId").asText());
  }

  @Test
  void qualityTierDefaultsToStandardAndLanguageIsCaseInsensitive() {
    Response r = server.send("POST", "/sessions", alice, "{\"sourceLanguage\":\" FR \"}");
    assertThat(r.status()).isEqualTo(201);
    assertThat(r.json().get("qualityTier").asText()).isEqualTo("standard");
    assertThat(r.json().get("sourceLanguage").asText()).isEqualTo("fr");
  }

  @Test
  void getIsPublicForgivingAndNeverRevealsTheSpeaker() {
    String id = server.createSession(alice, "en");
    Response exact = server.get("/sessions/" + id);
    assertThat(exact.status()).isEqualTo(200);
    assertThat(exact.json().get("sessionId").asText()).isEqualTo(id);
    assertThat(exact.body()).doesNotContain("alice").doesNotContain("speaker");

    String spoken = id.toUpperCase().replace('-', ' ');
    Response typed = server.get("/sessions/" + ("  " + spoken + " ").replace(" ", "%20"));
    assertThat(typed.status()).isEqualTo(200);
    assertThat(typed.json().get("sessionId").asText()).isEqualTo(id);
    assertThat(server.get("/sessions/" + id.replace('-', '_')).status()).isEqualTo(200);
  }

  @Test
  void unknownOrMalformedCodesAre404() {
    assertThat(server.get("/sessions/nothing-here-999").code()).isEqualTo("SESSION_NOT_FOUND");
    Response r = server.get("/sessions/%3Cscript%3E");
    assertThat(r.status()).isEqualTo(404);
    assertThat(r.code()).isEqualTo("SESSION_NOT_FOUND");
    assertThat(r.json().get("timestamp").asLong()).isPositive();
    assertThat(r.json().get("error").asText()).isNotBlank();
  }

  @Test
  void listShowsOnlyTheCallersSessions() {
    String a = server.createSession(alice, "en");
    String b = server.createSession(bob, "de");
    Response mine = server.send("GET", "/sessions", bob, null);
    assertThat(mine.status()).isEqualTo(200);
    assertThat(mine.json().findValuesAsText("sessionId")).contains(b).doesNotContain(a);
    assertThat(server.send("GET", "/sessions", null, null).code()).isEqualTo("MISSING_TOKEN");
  }

  @Test
  void statusTransitionsFollowTheLifecycle() {
    String id = server.createSession(alice, "en");
    assertThat(patch(id, alice, "{\"status\":\"paused\"}").json().get("status").asText())
        .isEqualTo("paused");
    assertThat(patch(id, alice, "{\"status\":\"paused\"}").status()).isEqualTo(200);
    assertThat(patch(id, alice, "{\"status\":\"active\"}").json().get("status").asText())
        .isEqualTo("active");
    Response changed = patch(id, alice, "{\"sourceLanguage\":\"pt\",\"qualityTier\":\"premium\"}");
    assertThat(changed.json().get("sourceLanguage").asText()).isEqualTo("pt");
    assertThat(changed.json().get("qualityTier").asText()).isEqualTo("premium");
    assertThat(patch(id, alice, "{\"status\":\"ended\"}").json().get("status").asText())
        .isEqualTo("ended");

    Response reopen = patch(id, alice, "{\"status\":\"active\"}");
    assertThat(reopen.status()).isEqualTo(409);
    assertThat(reopen.code()).isEqualTo("INVALID_TRANSITION");
    assertThat(patch(id, alice, "{\"qualityTier\":\"standard\"}").status()).isEqualTo(409);
    assertThat(server.get("/sessions/" + id).json().get("status").asText()).isEqualTo("ended");
  }

  @Test
  void patchValidatesItsBody() {
    String id = server.createSession(alice, "en");
    assertThat(patch(id, alice, "{\"status\":\"closed\"}").code()).isEqualTo("INVALID_REQUEST");
    assertThat(patch(id, alice, "{\"qualityTier\":\"gold\"}").code())
        .isEqualTo("INVALID_QUALITY_TIER");
    assertThat(patch(id, alice, "{\"sourceLanguage\":\"xx\"}").code())
        .isEqualTo("UNSUPPORTED_LANGUAGE");
    assertThat(patch(id, alice, "{\"speakerUserId\":\"bob\"}").code()).isEqualTo("INVALID_REQUEST");
    assertThat(patch(id, alice, "{}").code()).isEqualTo("INVALID_REQUEST");
    assertThat(patch(id, alice, "{\"status\":1}").code()).isEqualTo("INVALID_REQUEST");
    assertThat(patch("nothing-here-999", alice, "{\"status\":\"paused\"}").status()).isEqualTo(404);
  }

  @Test
  void onlyTheOwnerMayChangeOrEnd() {
    String id = server.createSession(alice, "en");
    Response p = patch(id, bob, "{\"status\":\"paused\"}");
    assertThat(p.status()).isEqualTo(403);
    assertThat(p.code()).isEqualTo("NOT_SESSION_OWNER");
    assertThat(server.send("DELETE", "/sessions/" + id, bob, null).status()).isEqualTo(403);
    assertThat(server.get("/sessions/" + id).json().get("status").asText()).isEqualTo("active");
  }

  @Test
  void deleteEndsTheSessionWhichStaysReadable() {
    String id = server.createSession(alice, "en");
    Response d = server.send("DELETE", "/sessions/" + id, alice, null);
    assertThat(d.status()).isEqualTo(204);
    assertThat(d.body()).isEmpty();
    assertThat(server.get("/sessions/" + id).json().get("status").asText()).isEqualTo("ended");
    assertThat(server.send("DELETE", "/sessions/" + id, alice, null).status()).isEqualTo(204);
    assertThat(server.send("DELETE", "/sessions/nothing-here-999", alice, null).status())
        .isEqualTo(404);
    assertThat(server.send("DELETE", "/sessions/" + id, null, null).status()).isEqualTo(401);
  }

  @Test
  void tokensAreRequiredAndChecked() {
    String body = "{\"sourceLanguage\":\"en\"}";
    Response missing = server.send("POST", "/sessions", null, body);
    assertThat(missing.status()).isEqualTo(401);
    assertThat(missing.code()).isEqualTo("MISSING_TOKEN");
    Response garbage = server.send("POST", "/sessions", "not.a.jwt", body);
    assertThat(garbage.status()).isEqualTo(401);
    assertThat(garbage.code()).isEqualTo("INVALID_TOKEN");
    String tampered =
        alice.substring(0, alice.length() - 3) + (alice.endsWith("AAA") ? "BBB" : "AAA");
    assertThat(server.send("POST", "/sessions", tampered, body).code()).isEqualTo("INVALID_TOKEN");
    Clock yesterday = Clock.fixed(Instant.now().minus(Duration.ofDays(1)), ZoneOffset.UTC);
    String expired = server.token("alice", Duration.ofHours(1), yesterday);
    Response old = server.send("POST", "/sessions", expired, body);
    assertThat(old.status()).isEqualTo(401);
    assertThat(old.code()).isEqualTo("TOKEN_EXPIRED");
    Response basic =
        server.send("POST", "/sessions", null, body, Map.of("Authorization", "Basic YWxpY2U6eA=="));
    assertThat(basic.code()).isEqualTo("MISSING_TOKEN");
  }

  @Test
  void malformedBodiesAre400NeverA500() {
    assertThat(create("{\"sourceLanguage\":").code()).isEqualTo("MALFORMED_JSON");
    assertThat(create("[\"en\"]").code()).isEqualTo("MALFORMED_JSON");
    assertThat(create("\"en\"").code()).isEqualTo("MALFORMED_JSON");
    assertThat(create("null").status()).isEqualTo(400);
    assertThat(create("{\"sourceLanguage\":\"en\",\"sourceLanguage\":\"fr\"}").code())
        .isEqualTo("MALFORMED_JSON");
    assertThat(create("{}").code()).isEqualTo("INVALID_REQUEST");
    assertThat(create("{\"sourceLanguage\":[\"en\"]}").code()).isEqualTo("INVALID_REQUEST");
    assertThat(create("{\"sourceLanguage\":\"en\",\"extra\":true}").code())
        .isEqualTo("INVALID_REQUEST");
    assertThat(create("{\"sourceLanguage\":\"klingon\"}").code()).isEqualTo("UNSUPPORTED_LANGUAGE");
    assertThat(create("{\"sourceLanguage\":\"en\",\"qualityTier\":\"ultra\"}").code())
        .isEqualTo("INVALID_QUALITY_TIER");
    Response huge = create("{\"sourceLanguage\":\"" + "a".repeat(70_000) + "\"}");
    assertThat(huge.status()).isEqualTo(413);
    assertThat(huge.code()).isEqualTo("PAYLOAD_TOO_LARGE");
  }

  @Test
  void unknownRoutesAndMethodsGetJsonErrors() {
    Response none = server.get("/nowhere");
    assertThat(none.status()).isEqualTo(404);
    assertThat(none.code()).isEqualTo("NOT_FOUND");
    Response put = server.send("PUT", "/sessions", alice, "{}");
    assertThat(put.status()).isEqualTo(405);
    assertThat(put.code()).isEqualTo("METHOD_NOT_ALLOWED");
  }

  @Test
  void languagesListsTheSupportedCodes() {
    Response r = server.get("/languages");
    assertThat(r.status()).isEqualTo(200);
    assertThat(r.json().get("languages").findValuesAsText("code"))
        .containsExactly(
            "en", "es", "fr", "de", "it", "pt", "ru", "ja", "ko", "zh", "ar", "hi", "nl", "pl",
            "tr", "sv", "da", "no", "fi");
  }

  @Test
  void healthReportsTheStoreVersionNodeAndTiming() {
    Response r = server.get("/health");
    assertThat(r.status()).isEqualTo(200);
    JsonNode h = r.json();
    assertThat(h.get("status").asText()).isEqualTo("healthy");
    assertThat(h.get("store").asText()).isEqualTo("connected");
    assertThat(h.get("version").asText()).isNotBlank();
    assertThat(h.get("node").asText()).isNotBlank();
    assertThat(h.get("responseTimeMs").asDouble()).isGreaterThanOrEqualTo(0);
  }

  @Test
  void metricsExposeRouteLatencyAndSessionsBySourceLanguage() {
    server.createSession(alice, "ko");
    String metrics = server.get("/metrics").body();
    assertThat(metrics).contains("pentecost_session_creations_total{");
    assertThat(metrics)
        .containsPattern("pentecost_session_creations_total\\{[^}]*source_language=\"ko\"");
    assertThat(metrics)
        .containsPattern(
            "pentecost_http_server_requests_seconds_count\\{[^}]*method=\"POST\"[^}]*route=\"/sessions\"[^}]*status=\"201\"");
    server.get("/sessions/nothing-here-999");
    String after = server.get("/metrics").body();
    assertThat(after)
        .containsPattern(
            "pentecost_http_server_requests_seconds_count\\{[^}]*method=\"GET\"[^}]*route=\"/sessions/:id\"[^}]*status=\"404\"");
    assertThat(after).doesNotContain("nothing-here-999");
    assertThat(after).contains("jvm_memory_used_bytes");
  }

  @Test
  void correlationIdIsEchoedOrGenerated() {
    Response mine = server.send("GET", "/health", null, null, Map.of("X-Correlation-Id", "req-42"));
    assertThat(mine.header("X-Correlation-Id")).isEqualTo("req-42");
    Response generated = server.get("/health");
    assertThat(generated.header("X-Correlation-Id")).matches("[0-9a-f-]{36}");
    Response hostile =
        server.send("GET", "/health", null, null, Map.of("X-Correlation-Id", "a b\"{}"));
    assertThat(hostile.header("X-Correlation-Id")).matches("[0-9a-f-]{36}");
  }

  @Test
  void corsPreflightIsAnswered() {
    Response r =
        server.send(
            "OPTIONS",
            "/sessions",
            null,
            null,
            Map.of(
                "Origin", "https://church.example",
                "Access-Control-Request-Method", "POST",
                "Access-Control-Request-Headers", "authorization,content-type"));
    assertThat(r.status()).isBetween(200, 204);
    assertThat(r.header("Access-Control-Allow-Origin")).isNotNull();
    assertThat(r.header("Access-Control-Allow-Methods")).contains("POST");
  }

  private Response patch(String id, String token, String body) {
    return server.send("PATCH", "/sessions/" + id, token, body);
  }

  private Response create(String body) {
    return server.send("POST", "/sessions", alice, body);
  }
}
