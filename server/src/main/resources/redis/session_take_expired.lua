-- Stores a session under an id whose holder has expired by the node's clock but is still in
-- Redis (Redis expires it by its own clock, a little later or sooner). Refuses while the holder
-- lives. The common case, a free id, never gets here: it is a plain SET NX PX.
-- KEYS[1]  session key
-- ARGV[1]  the new session's JSON
-- ARGV[2]  its time to live in ms
-- ARGV[3]  now, epoch ms, by the node's clock
local current = redis.call('GET', KEYS[1])
if current and tonumber(cjson.decode(current).expiresAt) > tonumber(ARGV[3]) then
  return 0
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
