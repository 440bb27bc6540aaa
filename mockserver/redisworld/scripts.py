"""The Lua scripts the shared world runs in Redis: each is one round trip, and atomic.

Keys, under the prefix ``P`` (``billing-mock:``):

- ``P:head``: ``"<world id> <generation> <revision>"``; the revision counts commits, the
  generation counts whole-world changes (reset, load, restore), the world id changes when
  the world is seeded anew (an empty Redis);
- ``P:lock``: the writer's token, with a time to live (renewed while it works);
  ``P:wanted``: set for a moment by a writer that found the lock taken (the holder then lets
  it go at its next commit instead of keeping it for the next write of its own worker);
- ``P:p:<part>``: one part (``parts.py``); ``P:changes``: every part, scored by the revision
  of its last change; ``P:gone``: the parts deleted, scored likewise (at most ``MAX_GONE``;
  ``P:horizon`` is the newest revision forgotten there: a copy older than it loads anew);
- ``P:journal``: the journal's entries, oldest first; ``P:journal:bytes`` their size;
- ``P:meta``: who wrote this world (format, version), checked by every server that joins.
"""

from __future__ import annotations

MAX_GONE = 10_000
WANTED_MS = 200  # how long a writer that found the lock taken is remembered
MAX_DELTA = 5_000  # more changed parts than this: the copy is loaded anew, in slices

_DELTA = """
local function delta(p, head, known, max)
  local w, g, r = string.match(head, '^(%S+) (%d+) (%d+)$')
  local kw, kg, kr = string.match(known, '^(%S+) (%d+) (%d+)$')
  if (not kw) or kw ~= w or kg ~= g then return {'full', head} end
  local horizon = tonumber(redis.call('GET', p .. 'horizon') or '0')
  if tonumber(kr) < horizon or tonumber(kr) > tonumber(r) then return {'full', head} end
  local count = redis.call('ZCOUNT', p .. 'changes', '(' .. kr, '+inf')
  if count > tonumber(max) then return {'full', head} end
  local names = redis.call('ZRANGEBYSCORE', p .. 'changes', '(' .. kr, '+inf')
  local gone = redis.call('ZRANGEBYSCORE', p .. 'gone', '(' .. kr, '+inf')
  local values = {}
  for i, name in ipairs(names) do values[i] = redis.call('GET', p .. 'p:' .. name) end
  return {'delta', head, names, values, gone}
end
"""

# ARGV: prefix, known head, max delta
SYNC = _DELTA + """
local p = ARGV[1]
local head = redis.call('GET', p .. 'head')
if not head then return {'empty'} end
if head == ARGV[2] then return {'same', head} end
return delta(p, head, ARGV[2], ARGV[3])
"""

# ARGV: prefix, token, ttl ms, known head, max delta
BEGIN = _DELTA + """
local p = ARGV[1]
if not redis.call('SET', p .. 'lock', ARGV[2], 'NX', 'PX', ARGV[3]) then
  redis.call('SET', p .. 'wanted', '1', 'PX', WANTED_MS)
  return {'busy', redis.call('PTTL', p .. 'lock')}
end
redis.call('DEL', p .. 'wanted')
local head = redis.call('GET', p .. 'head')
if not head then return {'empty'} end
if head == ARGV[4] then return {'same', head} end
return delta(p, head, ARGV[4], ARGV[5])
""".replace("WANTED_MS", str(WANTED_MS))

# Store the parts a write changed and move the head on: the body of COMMIT and COMMIT_AHEAD.
# ARGV from ``at``: full ('1'/'0'), clear journal ('1'/'0'), new world id (for a seed),
#   number of parts written, then name/value pairs, then the names of the parts removed.
_STORE = """
local function store(p, head, at)
  local w, g, r = ARGV[at + 2], 0, 0
  if head ~= '' then
    w, g, r = string.match(head, '^(%S+) (%d+) (%d+)$')
    g, r = tonumber(g), tonumber(r)
  end
  r = r + 1
  if ARGV[at] == '1' then
    g = g + 1
    local old = redis.call('ZRANGE', p .. 'changes', 0, -1)
    for i = 1, #old, 500 do
      local batch = {}
      for j = i, math.min(i + 499, #old) do batch[#batch + 1] = p .. 'p:' .. old[j] end
      redis.call('UNLINK', unpack(batch))
    end
    redis.call('DEL', p .. 'changes', p .. 'gone', p .. 'horizon')
  end
  local n = tonumber(ARGV[at + 3])
  local i = at + 4
  for _ = 1, n do
    local name = ARGV[i]
    redis.call('SET', p .. 'p:' .. name, ARGV[i + 1])
    redis.call('ZADD', p .. 'changes', r, name)
    redis.call('ZREM', p .. 'gone', name)
    i = i + 2
  end
  for k = i, #ARGV do
    local name = ARGV[k]
    redis.call('UNLINK', p .. 'p:' .. name)
    redis.call('ZREM', p .. 'changes', name)
    redis.call('ZADD', p .. 'gone', r, name)
  end
  local extra = redis.call('ZCARD', p .. 'gone') - MAX_GONE
  if extra > 0 then
    local cut = redis.call('ZRANGE', p .. 'gone', extra - 1, extra - 1, 'WITHSCORES')
    redis.call('ZREMRANGEBYRANK', p .. 'gone', 0, extra - 1)
    redis.call('SET', p .. 'horizon', cut[2])
  end
  if ARGV[at + 1] == '1' then redis.call('DEL', p .. 'journal', p .. 'journal:bytes') end
  local new = w .. ' ' .. g .. ' ' .. r
  redis.call('SET', p .. 'head', new)
  return new
end
""".replace("MAX_GONE", str(MAX_GONE))

# ARGV: prefix, token, expected head ('' for none), keep the lock (its new time to live in
#       ms, for this worker's next write unless another writer wants it; '0': let it go),
#       then _STORE's from 5. Answers {'ok', new head, kept (1/0)}.
COMMIT = _STORE + """
local p = ARGV[1]
if redis.call('GET', p .. 'lock') ~= ARGV[2] then return {'lost'} end
local head = redis.call('GET', p .. 'head') or ''
if head ~= ARGV[3] then return {'moved', head} end
local new = store(p, head, 5)
if ARGV[4] ~= '0' and redis.call('EXISTS', p .. 'wanted') == 0 then
  redis.call('PEXPIRE', p .. 'lock', ARGV[4])
  return {'ok', new, 1}
end
redis.call('DEL', p .. 'lock')
return {'ok', new, 0}
"""

# A write run without the lock on a copy at a revision (an optimistic write): its changes
# are stored only if nobody holds the lock and the world is still at that revision.
# ARGV: prefix, expected head, the copy's head, max delta, number of the parts it changed
#       (their names follow), then _STORE's. Answers {'ok', new head} or, when it may not,
#       {'moved', the changes since the copy's head (SYNC's answer), the values now of the
#       parts it changed (false: none)}: the copy is put back from them.
COMMIT_AHEAD = _DELTA + _STORE + """
local p = ARGV[1]
local head = redis.call('GET', p .. 'head')
local n = tonumber(ARGV[5])
if (not head) or head ~= ARGV[2] or redis.call('EXISTS', p .. 'lock') == 1 then
  local since
  if not head then since = {'empty'}
  elseif head == ARGV[3] then since = {'same', head}
  else since = delta(p, head, ARGV[3], ARGV[4]) end
  local now = {}
  for i = 1, n do now[i] = redis.call('GET', p .. 'p:' .. ARGV[5 + i]) end
  return {'moved', since, now}
end
return {'ok', store(p, head, 6 + n)}
"""

# ARGV: prefix, token
RELEASE = """
if redis.call('GET', ARGV[1] .. 'lock') == ARGV[2] then
  redis.call('DEL', ARGV[1] .. 'lock')
  return 1
end
return 0
"""

# ARGV: prefix, token, ttl ms: keep the lock for this worker's next write unless another
#   writer wants it (then it is let go). Answers 1 when kept.
KEEP = """
if redis.call('GET', ARGV[1] .. 'lock') ~= ARGV[2] then return 0 end
if redis.call('EXISTS', ARGV[1] .. 'wanted') == 1 then
  redis.call('DEL', ARGV[1] .. 'lock')
  return 0
end
redis.call('PEXPIRE', ARGV[1] .. 'lock', ARGV[3])
return 1
"""

# ARGV: prefix, token, ttl ms
EXTEND = """
if redis.call('GET', ARGV[1] .. 'lock') == ARGV[2] then
  return redis.call('PEXPIRE', ARGV[1] .. 'lock', ARGV[3])
end
return 0
"""

# ARGV: prefix, world id and generation the entry belongs to, entry, max entries, max bytes
#   (READ_DONE: the whole head the read was answered at; 0 when the world is another now)
_APPEND = """
redis.call('RPUSH', p .. 'journal', ARGV[3])
local size = redis.call('INCRBY', p .. 'journal:bytes', string.len(ARGV[3]))
local count = redis.call('LLEN', p .. 'journal')
while count > tonumber(ARGV[4]) or size > tonumber(ARGV[5]) do
  local oldest = redis.call('LPOP', p .. 'journal')
  if not oldest then break end
  size = redis.call('DECRBY', p .. 'journal:bytes', string.len(oldest))
  count = count - 1
end
return 1
"""
RECORD = """
local p = ARGV[1]
local head = redis.call('GET', p .. 'head')
if not head then return 0 end
local w, g = string.match(head, '^(%S+) (%d+) ')
if (w .. ' ' .. g) ~= ARGV[2] then return 0 end
""" + _APPEND
READ_DONE = """
local p = ARGV[1]
if redis.call('GET', p .. 'head') ~= ARGV[2] then return 0 end
""" + _APPEND

__all__ = ["BEGIN", "COMMIT", "COMMIT_AHEAD", "EXTEND", "KEEP", "WANTED_MS", "MAX_DELTA",
           "MAX_GONE", "READ_DONE", "RECORD", "RELEASE", "SYNC"]
