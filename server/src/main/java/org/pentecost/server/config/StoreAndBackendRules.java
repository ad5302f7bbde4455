package org.pentecost.server.config;

import java.util.List;
import java.util.Set;

/** The checks of {@code store.*} and {@code backend.*}, beside {@link ConfigLoader}'s own. */
final class StoreAndBackendRules {
  private StoreAndBackendRules() {}

  static void validateBackend(PentecostConfig.Backend backend) {
    List<String> urls = new java.util.ArrayList<>(backend.routes().values());
    urls.addAll(backend.webhooks());
    for (String url : urls) {
      if (!url.startsWith("http://") && !url.startsWith("https://")) {
        throw new ConfigException(
            "backend.routes and backend.webhooks take http:// or https:// URLs, not '" + url + "'");
      }
    }
    for (String route : backend.routes().keySet()) {
      if (route.isBlank() || (route.startsWith("$") && !SPECIAL_ROUTES.contains(route))) {
        throw new ConfigException(
            "backend.routes: '"
                + route
                + "' is not a route key (use $connect, $disconnect, $default or an action name)");
      }
    }
    if (backend.callsOut() && backend.signingSecret().length() < 16) {
      throw new ConfigException(
          "backend.signingSecret (PENTECOST_BACKEND_SIGNING_SECRET) of at least 16 characters is"
              + " needed once a backend route or webhook is configured: every request is signed"
              + " with it");
    }
    for (String key : backend.keys()) {
      if (key.length() < 16) {
        throw new ConfigException("backend.keys: each key needs at least 16 characters");
      }
    }
    if (backend.timeout().toMillis() < 1
        || backend.clusterTimeout().toMillis() < 1
        || backend.breakerOpenFor().toMillis() < 1) {
      throw new ConfigException(
          "backend: timeout, clusterTimeout and breakerOpenFor must be positive");
    }
    if (backend.maxPendingPerConnection() < 1
        || backend.webhookQueueSize() < 1
        || backend.webhookAttempts() < 1) {
      throw new ConfigException(
          "backend: maxPendingPerConnection, webhookQueueSize and webhookAttempts must be positive");
    }
  }

  private static final Set<String> SPECIAL_ROUTES = Set.of("$connect", "$disconnect", "$default");

  static void validateStore(PentecostConfig config) {
    var store = config.store();
    if (!store.type().equals("embedded") && !store.isRedis()) {
      throw new ConfigException("store.type must be embedded or redis, not '" + store.type() + "'");
    }
    if (store.timeout().toMillis() < 1) {
      throw new ConfigException("store.timeout must be positive");
    }
    if (store.nodeLease().toMillis() < 300) {
      throw new ConfigException("store.nodeLease must be at least 300ms");
    }
    if (store.recover() && store.isRedis()) {
      throw new ConfigException(
          "store.recover (--recover) repairs the embedded store's file; with store.type redis"
              + " there is none");
    }
    String nodeId = config.server().nodeId();
    if (!nodeId.isEmpty() && !nodeId.matches("[^\\s|/]+")) {
      throw new ConfigException(
          "server.nodeId must not contain spaces, '|' or '/': '" + nodeId + "'");
    }
    var redis = store.redis();
    if (!redis.mode().equals("standalone") && !redis.isCluster()) {
      throw new ConfigException(
          "store.redis.mode must be standalone or cluster, not '" + redis.mode() + "'");
    }
    for (String url : ConfigLoader.concat(java.util.List.of(redis.url()), redis.endpoints())) {
      if (!url.startsWith("redis://") && !url.startsWith("rediss://")) {
        throw new ConfigException(
            "store.redis.url and endpoints must start with redis:// or rediss://, not '"
                + ConfigLoader.redactPassword(url)
                + "'");
      }
    }
    if (redis.keyPrefix().isEmpty()) {
      throw new ConfigException("store.redis.keyPrefix must not be empty");
    }
    if (redis.poolSize() < 1 || redis.poolWaiting() < 1) {
      throw new ConfigException("store.redis.poolSize and poolWaiting must be positive");
    }
  }
}
