package org.pentecost.server.http;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.pentecost.server.auth.Principal;
import org.pentecost.server.auth.TokenVerifier;
import org.pentecost.server.session.Transcripts;

/**
 * {@code GET /sessions/{id}/transcript}: a language's transcript as txt, vtt or srt, for the
 * session's speaker, or for anyone when the session's {@code transcriptPublic} is set; {@code GET
 * /sessions/{id}/transcripts}: the languages that have one.
 */
final class TranscriptRoutes {
  private final Transcripts transcripts;
  private final TokenVerifier tokens;

  TranscriptRoutes(Transcripts transcripts, TokenVerifier tokens) {
    this.transcripts = transcripts;
    this.tokens = tokens;
  }

  void mount(Router router) {
    router.get("/sessions/:id/transcript").handler(HttpApi::tagRoute).handler(this::transcript);
    router.get("/sessions/:id/transcripts").handler(HttpApi::tagRoute).handler(this::languages);
  }

  private void transcript(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    String language = ctx.queryParams().get("language");
    TranscriptFormat format;
    try {
      format = TranscriptFormat.of(ctx.queryParams().get("format"));
    } catch (RuntimeException e) {
      ctx.fail(e);
      return;
    }
    reader(ctx)
        .compose(reader -> transcripts.read(reader, id, language))
        .onSuccess(
            t -> {
              String name = t.session().id() + "-" + t.language() + "." + format.extension;
              ctx.response()
                  .putHeader("Content-Type", format.contentType)
                  .putHeader("Content-Disposition", "attachment; filename=\"" + name + "\"")
                  .putHeader("Cache-Control", "no-store")
                  .end(format.write(t.lines(), t.session().createdAt()));
            })
        .onFailure(ctx::fail);
  }

  private void languages(RoutingContext ctx) {
    reader(ctx)
        .compose(reader -> transcripts.languages(reader, ctx.pathParam("id")))
        .onSuccess(
            list ->
                ctx.response()
                    .putHeader("Content-Type", "application/json")
                    .putHeader("Cache-Control", "no-store")
                    .end(
                        new JsonObject()
                            .put("languages", new JsonArray(list.stream().sorted().toList()))
                            .encode()))
        .onFailure(ctx::fail);
  }

  /** The caller, when an Authorization header is given (a bad token fails); else null. */
  private Future<Principal> reader(RoutingContext ctx) {
    if (ctx.request().getHeader("Authorization") == null) {
      return Future.succeededFuture(null);
    }
    return tokens.verify(SessionRoutes.bearer(ctx));
  }
}
