"""The Lua scripts of the Redis store: each runs whole, with nothing else in between.

A turn makes two round trips: LOCK_AND_READ (take the conversation's lock, read the snapshot
and the events after it) and APPEND (check the length, append, set the pending question, the
snapshot and the TTL, release the lock).
"""

_READ_TAIL = """
local meta = redis.call('HMGET', KEYS[2], 'pending', 'snapshot', 'at')
local at = tonumber(meta[3]) or 0
return {meta[1], meta[2], at, redis.call('LRANGE', KEYS[1], at, -1)}
"""

READ_TAIL = "-- KEYS: events, meta. The pending question, the snapshot, the events after it.\n"
READ_TAIL += _READ_TAIL

LOCK_AND_READ = """
-- KEYS: events, meta, lock. ARGV: token, lock expiry in ms.
-- Nothing when the lock is taken, else what READ_TAIL returns.
if not redis.call('SET', KEYS[3], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return false
end
"""
LOCK_AND_READ += _READ_TAIL

APPEND = """
-- KEYS: events, meta, lock, review flags, deliveries. ARGV: expected length, append token, TTL
-- in ms (0: none), pending question ('' for none), snapshot ('' keeps the stored one), lock
-- token to release ('' for none), review flag's field ('' for none), its JSON, the delivery's
-- record ('' for none), deliveries kept, events...
-- Returns {appended (0: the length differs), length, lock released}.
if redis.call('HGET', KEYS[2], 'token') == ARGV[2] then
  return {1, redis.call('LLEN', KEYS[1]), 0}  -- already done: a retry after a lost reply
end
local length = redis.call('LLEN', KEYS[1])
if length ~= tonumber(ARGV[1]) then
  return {0, length, 0}
end
if #ARGV > 10 then
  length = redis.call('RPUSH', KEYS[1], unpack(ARGV, 11))
end
if ARGV[7] ~= '' then
  redis.call('HSET', KEYS[4], ARGV[7], ARGV[8])
end
if ARGV[9] ~= '' then
  redis.call('LPUSH', KEYS[5], ARGV[9])
  redis.call('LTRIM', KEYS[5], 0, tonumber(ARGV[10]) - 1)
end
redis.call('HSET', KEYS[2], 'token', ARGV[2])
if ARGV[4] == '' then
  redis.call('HDEL', KEYS[2], 'pending')
else
  redis.call('HSET', KEYS[2], 'pending', ARGV[4])
end
if ARGV[5] ~= '' then
  redis.call('HSET', KEYS[2], 'snapshot', ARGV[5], 'at', length)
end
for _, i in ipairs({1, 2, 4, 5}) do
  if ARGV[3] == '0' then
    redis.call('PERSIST', KEYS[i])
  else
    redis.call('PEXPIRE', KEYS[i], ARGV[3])
  end
end
local released = 0
if ARGV[6] ~= '' and redis.call('GET', KEYS[3]) == ARGV[6] then
  released = redis.call('DEL', KEYS[3])
end
return {1, length, released}
"""

RELEASE = """
-- KEYS: lock. ARGV: token. 1 when released, 0 when the lock had expired (or is another's).
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""
