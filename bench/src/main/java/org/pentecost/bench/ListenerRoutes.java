package org.pentecost.bench;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.BiFunction;
import org.pentecost.protocol.Messages;

/**
 * Where the run's i-th listener connects: the node ({@link FanoutOptions#targetOf}: round-robin
 * over the listener targets within each event loop) and the request URI of its session and language
 * ({@link ListenerPool.Plan}), built once for each pair.
 */
final class ListenerRoutes {
  private final ListenerPool.Plan plan;
  private final List<Target> targets;
  private final int eventLoops;
  private final String[][] uris;

  /** {@code uri} makes the request URI of a session id and a language. */
  ListenerRoutes(
      ListenerPool.Plan plan,
      List<Target> targets,
      int eventLoops,
      BiFunction<String, String, String> uri) {
    this.plan = plan;
    this.targets = List.copyOf(targets);
    this.eventLoops = eventLoops;
    this.uris = new String[plan.sessionIds().size()][plan.languages().size()];
    for (int s = 0; s < uris.length; s++) {
      for (int l = 0; l < uris[s].length; l++) {
        uris[s][l] = uri.apply(plan.sessionIds().get(s), plan.languages().get(l));
      }
    }
  }

  /** {@code connect}'s URI: a listener of the session in the language. */
  static String listenerUri(String sessionId, String language) {
    return uri(
        Messages.Q_SESSION_ID,
        sessionId,
        Messages.Q_ROLE,
        Messages.ROLE_LISTENER,
        Messages.Q_TARGET_LANGUAGE,
        language);
  }

  /**
   * {@code fanout}'s URI: nobody translates in that bench, so the languages other than {@code
   * sourceLanguage} ask to hear the source meanwhile.
   */
  static BiFunction<String, String, String> fallbackUri(String sourceLanguage) {
    return (sessionId, language) ->
        language.equals(sourceLanguage)
            ? uri(Messages.Q_SESSION_ID, sessionId, Messages.Q_TARGET_LANGUAGE, language)
            : uri(
                Messages.Q_SESSION_ID,
                sessionId,
                Messages.Q_TARGET_LANGUAGE,
                language,
                Messages.Q_FALLBACK,
                "source");
  }

  /** The WebSocket path with the query of these names and values. */
  private static String uri(String... namesAndValues) {
    StringBuilder b = new StringBuilder(Messages.PATH);
    for (int p = 0; p < namesAndValues.length; p += 2) {
      b.append(p == 0 ? '?' : '&')
          .append(namesAndValues[p])
          .append('=')
          .append(URLEncoder.encode(namesAndValues[p + 1], StandardCharsets.UTF_8));
    }
    return b.toString();
  }

  ListenerPool.Plan plan() {
    return plan;
  }

  int total() {
    return plan.total();
  }

  int targetIndex(int i) {
    return FanoutOptions.targetOf(i, targets.size(), eventLoops);
  }

  Target target(int i) {
    return targets.get(targetIndex(i));
  }

  String uri(int i) {
    return uris[plan.sessionIndex(i)][plan.languageIndex(i)];
  }
}
