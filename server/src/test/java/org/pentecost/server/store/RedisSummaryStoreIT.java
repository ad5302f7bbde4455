package org.pentecost.server.store;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.pentecost.server.redis.RedisCommands;
import org.pentecost.server.redis.RedisKeys;
import org.pentecost.server.session.SummaryStore;
import org.pentecost.server.testing.RedisTests;

/** The summary contract against a real Redis, under a fresh key prefix. */
class RedisSummaryStoreIT extends SummaryStoreContract {
  private RedisCommands redis;
  private String prefix;

  @Override
  protected SummaryStore newStore(Vertx vertx) {
    RedisTests.requireRedis();
    prefix = RedisTests.randomPrefix();
    redis =
        RedisCommands.create(
            vertx, RedisTests.storeConfig(RedisTests.nodeSettings(RedisTests.URL, prefix)));
    return new RedisSummaryStore(redis, new RedisKeys(prefix));
  }

  @AfterEach
  void deleteKeys() {
    if (prefix != null) {
      RedisTests.deleteKeys(RedisTests.URL, prefix);
      SessionStoreContract.await(redis.close());
    }
  }
}
