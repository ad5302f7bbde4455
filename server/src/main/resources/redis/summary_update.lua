-- Adds to, raises and sets fields of a session's summary hash (docs/cluster.md, "summary").
-- KEYS[1]: the hash. ARGV[1]: the session's expiresAt (epoch ms); ARGV[2], ARGV[3], ARGV[4]: how
-- many field/value pairs follow to add (HINCRBY), to raise to at least (max) and to set (HSET),
-- in that order.
local i = 5
for _ = 1, tonumber(ARGV[2]) do
  redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
  i = i + 2
end
for _ = 1, tonumber(ARGV[3]) do
  local current = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0')
  if tonumber(ARGV[i + 1]) > current then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  end
  i = i + 2
end
for _ = 1, tonumber(ARGV[4]) do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  i = i + 2
end
redis.call('PEXPIREAT', KEYS[1], ARGV[1])
return 1
