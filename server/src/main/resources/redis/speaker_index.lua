-- Adds a session id to its speaker's index, scored by the session's expiresAt; drops the entries
-- that have expired; keeps the index alive exactly as long as its longest-lived entry.
-- GT: a score only ever grows, so a failed create of an id the speaker already holds cannot
-- shorten the live entry.
-- KEYS[1]  speaker index
-- ARGV[1]  session id
-- ARGV[2]  the session's expiresAt, epoch ms
-- ARGV[3]  now, epoch ms, by the node's clock
-- ARGV[4]  the session's time to live in ms
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[3])
redis.call('ZADD', KEYS[1], 'GT', ARGV[2], ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
return 1
