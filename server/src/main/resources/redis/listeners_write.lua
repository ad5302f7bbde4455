-- Sets one node's listener counts in a session to exactly the given values, in one step, unless
-- that would raise the session's total above the capacity.
--
-- The hash holds a field "<member>|<language>" per node and language; a member is a node id and
-- its incarnation ("web-1/k3f9x2"). A node only ever writes its own fields and always writes all
-- of them, so a repeated or late write cannot count anyone twice. Fields of this node's earlier
-- incarnations (left by a restart or a lost lease) are stale: deleted, never counted.
--
-- KEYS[1]  the session's listeners hash
-- ARGV[1]  capacity; -1 = no check (removals and moves never raise the total)
-- ARGV[2]  time to live of the hash in ms, renewed by every write
-- ARGV[3]  this node's member
-- ARGV[4]  this node's id followed by "/": the prefix of its incarnations
-- ARGV[5..] language, count pairs: this node's complete counts (languages with 0 are omitted)
-- Returns {1, <language, total before, total after>...} if written, {0} if refused for capacity.
-- The triples name each language whose total over every node went from 0 to some or from some
-- to 0 by this write: the caller reports that demand change, and no other node can, since this
-- script is the one step that made it.
local fields = redis.call('HGETALL', KEYS[1])
local others, mine, drop = 0, 0, {}
local before, kept = {}, {}
for i = 1, #fields, 2 do
  local field, n = fields[i], tonumber(fields[i + 1]) or 0
  local bar = string.find(field, '|', 1, true)
  local member = bar and string.sub(field, 1, bar - 1) or ''
  local language = bar and string.sub(field, bar + 1) or field
  before[language] = (before[language] or 0) + n
  if member == ARGV[3] then
    mine = mine + n
    drop[#drop + 1] = field
  elseif string.sub(member, 1, #ARGV[4]) == ARGV[4] then
    drop[#drop + 1] = field
  else
    others = others + n
    kept[language] = (kept[language] or 0) + n
  end
end
local wanted = 0
for i = 6, #ARGV, 2 do
  wanted = wanted + tonumber(ARGV[i])
end
local capacity = tonumber(ARGV[1])
if capacity >= 0 and wanted > mine and others + wanted > capacity then
  return {0}
end
if #drop > 0 then
  redis.call('HDEL', KEYS[1], unpack(drop))
end
for i = 5, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[3] .. '|' .. ARGV[i], ARGV[i + 1])
end
if #ARGV > 4 then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
local after = kept
for i = 5, #ARGV, 2 do
  after[ARGV[i]] = (after[ARGV[i]] or 0) + tonumber(ARGV[i + 1])
end
local result = {1}
local function shift(language)
  local b, a = before[language] or 0, after[language] or 0
  if (b == 0) ~= (a == 0) then
    result[#result + 1] = language
    result[#result + 1] = b
    result[#result + 1] = a
  end
end
for language in pairs(before) do
  shift(language)
end
for language in pairs(after) do
  if before[language] == nil then
    shift(language)
  end
end
return result
