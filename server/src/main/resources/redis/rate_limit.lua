-- Takes one token from a token bucket that refills continuously (Bucket4j's greedy refill).
-- The time is Redis's own (TIME), so every node takes from the same bucket on the same clock,
-- whatever the nodes' clocks say.
-- KEYS[1]  the bucket: a hash of tokens (fractional) and ts (ms of the last refill)
-- ARGV[1]  capacity
-- ARGV[2]  tokens added per period
-- ARGV[3]  period in ms
-- Returns {1, 0} if a token was taken, else {0, ms until the next token}.
local capacity = tonumber(ARGV[1])
local refill = tonumber(ARGV[2])
local period = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or capacity
local ts = tonumber(state[2]) or now
if now > ts then
  tokens = math.min(capacity, tokens + (now - ts) * refill / period)
  ts = now
end
local allowed, wait = 0, 0
if tokens >= 1 then
  tokens = tokens - 1
  allowed = 1
else
  wait = math.ceil((1 - tokens) * period / refill)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts))
-- a bucket left alone refills to capacity, which is what a missing bucket means: let it go then
redis.call('PEXPIRE', KEYS[1], math.ceil((capacity - tokens) * period / refill) + 1000)
return {allowed, wait}
