-- Deletes one node member's fields from a session's listeners hash: the member died (its lease
-- expired), or it is an earlier incarnation of a node that restarted.
-- KEYS[1]  the session's listeners hash
-- ARGV[1]  the member
-- Returns {<fields deleted>, <language>...}: the languages that had listeners only on that member
-- and so have none left now (the reaper reports them abandoned; a second reaper of the same
-- member finds nothing to delete and reports nothing).
local fields = redis.call('HGETALL', KEYS[1])
local prefix = ARGV[1] .. '|'
local drop, lost, kept = {}, {}, {}
for i = 1, #fields, 2 do
  local field, n = fields[i], tonumber(fields[i + 1]) or 0
  local bar = string.find(field, '|', 1, true)
  local language = bar and string.sub(field, bar + 1) or field
  if string.sub(field, 1, #prefix) == prefix then
    drop[#drop + 1] = field
    lost[language] = (lost[language] or 0) + n
  else
    kept[language] = (kept[language] or 0) + n
  end
end
if #drop > 0 then
  redis.call('HDEL', KEYS[1], unpack(drop))
end
local result = {#drop}
for language, n in pairs(lost) do
  if n > 0 and (kept[language] or 0) == 0 then
    result[#result + 1] = language
  end
end
return result
