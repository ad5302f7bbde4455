-- One audio frame of a stream: kept in the stream's shared window, then sent to its subscribers.
-- KEYS[1] the window list (also the channel's name)
-- ARGV[1] the frame, ARGV[2] frames to keep, ARGV[3] the list's lifetime in ms
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('LTRIM', KEYS[1], -tonumber(ARGV[2]), -1)
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return redis.call('PUBLISH', KEYS[1], ARGV[1])
