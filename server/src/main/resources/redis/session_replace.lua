-- Compare-and-set of a session on its version: replaces the stored JSON only if it still has the
-- expected version and has not expired by the node's clock.
-- KEYS[1]  session key
-- ARGV[1]  the new JSON (version = expected + 1)
-- ARGV[2]  the expected current version
-- ARGV[3]  now, epoch ms, by the node's clock
-- ARGV[4]  time to live in ms (until the session's expiresAt)
local current = redis.call('GET', KEYS[1])
if not current then
  return 0
end
local session = cjson.decode(current)
if tonumber(session.version) ~= tonumber(ARGV[2])
    or tonumber(session.expiresAt) <= tonumber(ARGV[3]) then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[4])
return 1
