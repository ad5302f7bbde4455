-- Deletes one node member's fields from a session's listeners hash: the member died (its lease
-- expired), or it is an earlier incarnation of a node that restarted.
-- KEYS[1]  the session's listeners hash
-- ARGV[1]  the member
-- Returns how many fields were deleted.
local fields = redis.call('HKEYS', KEYS[1])
local prefix = ARGV[1] .. '|'
local drop = {}
for _, field in ipairs(fields) do
  if string.sub(field, 1, #prefix) == prefix then
    drop[#drop + 1] = field
  end
end
if #drop > 0 then
  redis.call('HDEL', KEYS[1], unpack(drop))
end
return #drop
