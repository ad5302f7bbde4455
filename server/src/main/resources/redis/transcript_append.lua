-- Appends one line to a transcript unless it is full (docs/cluster.md, "transcript").
-- KEYS[1]: the list of the language's lines; KEYS[2]: the hash language -> characters kept.
-- ARGV: the line's JSON, the language, the line's characters, max lines, max characters,
-- the session's expiresAt (epoch ms).
-- Returns 1 when kept, 0 when the transcript is full.
local used = tonumber(redis.call('HGET', KEYS[2], ARGV[2]) or '0')
if used + tonumber(ARGV[3]) > tonumber(ARGV[5])
    or redis.call('LLEN', KEYS[1]) >= tonumber(ARGV[4]) then
  return 0
end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('HINCRBY', KEYS[2], ARGV[2], ARGV[3])
redis.call('PEXPIREAT', KEYS[1], ARGV[6])
redis.call('PEXPIREAT', KEYS[2], ARGV[6])
return 1
