package org.pentecost.server.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.pentecost.protocol.ErrorCode;
import org.pentecost.server.error.ApiException;
import org.pentecost.server.session.QualityTier;
import org.pentecost.server.session.SessionPatch;
import org.pentecost.server.session.SessionStatus;
import org.pentecost.server.testing.FuzzArbitraries;

/**
 * The bodies of {@code POST /sessions} and {@code PATCH /sessions/{id}}, read directly (no server):
 * any bytes give a request or an {@link ApiException} with one of the 400 codes docs/http-api.md
 * lists for the endpoint, whose message quotes at most a short excerpt of the body. Nothing else is
 * thrown (anything else would be a 500).
 */
class SessionRequestsPropertyTest {
  /** An error message is a sentence and an excerpt, however large the body. */
  static final int MAX_MESSAGE_CHARS = 200;

  private static final List<String> FIELDS = List.of("sourceLanguage", "qualityTier", "status");
  private static final List<String> GOOD_VALUES =
      List.of("en", "ES", " fr ", "xx", "standard", "premium", "active", "paused", "ended");
  private static final Set<ErrorCode> BODY_CODES =
      Set.of(ErrorCode.MALFORMED_JSON, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_QUALITY_TIER);

  @Property
  void anyCreateBodyIsARequestOrADocumented400(@ForAll("bodies") byte[] body) {
    SessionRequests.Create request;
    try {
      request = SessionRequests.create(body);
    } catch (ApiException e) {
      assertDocumented400(e);
      return;
    }
    assertThat(request.sourceLanguage()).isNotNull();
    assertThat(request.qualityTier()).isNotNull();
  }

  @Property
  void anyPatchBodyIsAPatchOrADocumented400(@ForAll("bodies") byte[] body) {
    try {
      SessionRequests.patch(body);
    } catch (ApiException e) {
      assertDocumented400(e);
    }
  }

  @Property
  void aWellFormedCreateBodyIsReadAsWritten(
      @ForAll("strings") String language, @ForAll("tiers") String tier) {
    String body =
        "{\"sourceLanguage\":"
            + FuzzArbitraries.quote(language)
            + (tier == null ? "" : ",\"qualityTier\":" + FuzzArbitraries.quote(tier))
            + "}";
    SessionRequests.Create request = SessionRequests.create(body.getBytes(StandardCharsets.UTF_8));
    assertThat(request.sourceLanguage()).isEqualTo(language);
    assertThat(request.qualityTier())
        .isEqualTo(tier == null ? QualityTier.STANDARD : QualityTier.fromWire(tier));
  }

  @Property
  void aWellFormedPatchBodyIsReadAsWritten(
      @ForAll("statuses") String status, @ForAll("strings") String language) {
    String body =
        "{\"status\":"
            + FuzzArbitraries.quote(status)
            + ",\"sourceLanguage\":"
            + FuzzArbitraries.quote(language)
            + "}";
    SessionPatch patch = SessionRequests.patch(body.getBytes(StandardCharsets.UTF_8));
    assertThat(patch)
        .isEqualTo(new SessionPatch(SessionStatus.fromWire(status), language, null, null));
  }

  /** A JSON object followed by anything but white space is not a JSON body. */
  @Property
  void trailingContentAfterTheObjectIsMalformed(
      @ForAll("createObjects") String object, @ForAll("junk") String junk) {
    byte[] body = (object + junk).getBytes(StandardCharsets.UTF_8);
    ApiException e = catchThrowableOfType(ApiException.class, () -> SessionRequests.create(body));
    assertThat(e).isNotNull();
    assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_JSON);
  }

  static void assertDocumented400(ApiException e) {
    assertThat(e.code()).isIn(BODY_CODES);
    assertThat(e.code().httpStatus()).isEqualTo(400);
    assertThat(e.getMessage()).isNotBlank().hasSizeLessThanOrEqualTo(MAX_MESSAGE_CHARS);
  }

  @Provide
  Arbitrary<byte[]> bodies() {
    return FuzzArbitraries.bodies(FIELDS, GOOD_VALUES);
  }

  @Provide
  Arbitrary<String> strings() {
    return Arbitraries.oneOf(Arbitraries.of(GOOD_VALUES), FuzzArbitraries.strings());
  }

  @Provide
  Arbitrary<String> tiers() {
    return Arbitraries.of("standard", "premium").injectNull(0.3);
  }

  @Provide
  Arbitrary<String> statuses() {
    return Arbitraries.of("active", "paused", "ended");
  }

  @Provide
  Arbitrary<String> createObjects() {
    return FuzzArbitraries.objects(List.of("sourceLanguage", "qualityTier"), GOOD_VALUES);
  }

  @Provide
  Arbitrary<String> junk() {
    return Arbitraries.oneOf(
        Arbitraries.of("x", "}", "{}", ",", "]", " 1", " null", "\"\"", " {\"a\":1}"),
        FuzzArbitraries.jsonValues(1).map(v -> " " + v));
  }
}
