package org.pentecost.server.store;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterEach;
import org.pentecost.server.redis.RedisCommands;
import org.pentecost.server.redis.RedisKeys;
import org.pentecost.server.session.TranscriptStore;
import org.pentecost.server.testing.RedisTests;

/** The transcript contract against a real Redis, under a fresh key prefix. */
class RedisTranscriptStoreIT extends TranscriptStoreContract {
  private RedisCommands redis;
  private String prefix;

  @Override
  protected TranscriptStore newStore(Vertx vertx) {
    RedisTests.requireRedis();
    prefix = RedisTests.randomPrefix();
    redis =
        RedisCommands.create(
            vertx, RedisTests.storeConfig(RedisTests.nodeSettings(RedisTests.URL, prefix)));
    return new RedisTranscriptStore(redis, new RedisKeys(prefix));
  }

  @AfterEach
  void deleteKeys() {
    if (prefix != null) {
      RedisTests.deleteKeys(RedisTests.URL, prefix);
      SessionStoreContract.await(redis.close());
    }
  }
}
