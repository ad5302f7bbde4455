-- Takes the ids of sessions that expired without having ended from the index of such sessions,
-- in one step, so that each id goes to one node only (which reports the expiry once).
-- KEYS[1]  the index: a sorted set of session ids scored by expiresAt
-- ARGV[1]  now, epoch ms, by the node's clock
-- ARGV[2]  at most this many ids
-- Returns the ids taken.
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
if #ids > 0 then
  redis.call('ZREM', KEYS[1], unpack(ids))
end
return ids
