// Private: the Lua scripts of RedisStore's session operations (validate, rotate, attach, read,
// index; create, the login, is in _redis_create_script.ts); token revocation scripts are in
// _redis_token_scripts.ts, the shared helpers and the portability rules in _redis_lua.ts. Every key
// a script touches shares one hash slot.

import { CREATE } from "./_redis_create_script.ts";
import { HASH_LENGTH, REST_LENGTH } from "./_redis_codec.ts";
import { RECORD, script } from "./_redis_lua.ts";
import { TOKEN_SCRIPTS, type TokenScriptName } from "./_redis_token_scripts.ts";

// Lua string.sub bounds that cut a session key P{tag}:s:<rest> (or a claim key P{tag}:c:<rest>)
// into its base P{tag}: (1 .. BASE_END) and its rest (REST_FROM .. -1).
const BASE_END = -(REST_LENGTH + 3);
const REST_FROM = -REST_LENGTH;

// Validation, the hot path: one GET (no TYPE first: only a miss asks TYPE, to tell a missing key
// from a value of another type), one pattern match, no helper closures, no table but the reply.
// KEYS[1] = P{tag}:s:<rest> (the index and the claim key, needed only to remove a dead or reused
// session, are derived from it: same slot); ARGV = now, hash, slide threshold, gcMargin, kind
// letter ('' = any), two bound facts as (needle, want) pairs (see bindFails in _redis_lua.ts), the
// operation id and the replay TTL. A session of another kind is 'invalid' before any verdict; a
// binding mismatch answers 'binding' (and the user id) and writes nothing. A reuse verdict (the
// one write whose re-run would answer otherwise: the session is gone) is kept under P{tag}:o:<op>
// for a client that resends the command after losing the reply; only a miss looks there.
// Reply: { corrupt, status, record } — the record string as stored (after the slide, if any),
// decoded by _redis_codec.ts (one bulk string, no copy made in Lua), or, for 'reused' and
// 'binding', the user id's JSON text. The same checks as `parse` below: what it rejects, this rejects.
const VALIDATE = `
local k = KEYS[1]
local now, hash = tonumber(ARGV[1]) + 0.0, ARGV[2]
local raw = redis.pcall('GET', k)
if type(raw) ~= 'string' then
  -- No key, or not a string: WRONGTYPE (an error table on Redis; ioredis-mock answers another type)
  local t = redis.call('TYPE', k)
  if type(t) == 'table' then t = t['ok'] end
  if t == 'none' then
    local again = redis.call('GET', string.sub(k, 1, ${BASE_END}) .. 'o:' .. ARGV[10])
    if type(again) == 'string' then return { 0, 'reused', again } end
    return { 0, 'invalid' }
  end
  redis.call('DEL', k)
  return { 1, 'invalid' }
end
local kd, v, c, la, ie, ae, it, ra, gu, au, h, old, ul, dl, at = string.match(raw, '${RECORD}')
if not at or #v > 17 or #c > 17 or #la > 17 or #ie > 17 or #ae > 17 or #it > 17 or #ra > 17
  or #gu > 17 or #au > 17 or #h ~= ${HASH_LENGTH} or #ul > 9 or #dl > 9 then
  redis.call('DEL', k)
  return { 1, 'invalid' }
end
ul, dl = tonumber(ul), tonumber(dl)
local de = at + ul + dl + 1
if ul < 2 or dl < 2 or de + 3 > #raw or string.sub(raw, at + ul, at + ul) ~= ','
  or string.sub(raw, de, de) ~= ',' or string.sub(raw, -1) ~= ']' then
  redis.call('DEL', k)
  return { 1, 'invalid' }
end
local ien = tonumber(ie) + 0.0
local st = 'ok'
if now >= ien then st = 'dead'
elseif ARGV[5] ~= '' and kd ~= ARGV[5] then return { 0, 'invalid' }
elseif hash ~= h then
  st = 'invalid'
  local last
  for x in string.gmatch(old, '[^,]+') do
    if x == hash then st = 'reused' end
    last = x
  end
  if last == hash and now < tonumber(gu) + 0.0 then st = 'grace' end
  if st == 'invalid' then return { 0, st } end
end
if st == 'dead' or st == 'reused' then
  local base, rest = string.sub(k, 1, ${BASE_END}), string.sub(k, ${REST_FROM})
  if st == 'reused' and redis.call('EXISTS', base .. 'c:' .. rest) == 1 then return { 0, 'busy' } end
  redis.call('DEL', k)
  if ul > 2 then
    redis.call('ZREM', base .. 'i', rest)
    redis.call('ZREM', base .. 'x', rest)
  end
  if st == 'dead' then return { 0, 'invalid' } end
  local u = string.sub(raw, at, at + ul - 1)
  redis.call('SET', base .. 'o:' .. ARGV[10], u, 'PX', ARGV[11])
  return { 0, st, u }
end
if ARGV[6] ~= '' or ARGV[8] ~= '' then
  local dv = string.sub(raw, at + ul + 1, de - 1)
  for b = 6, 8, 2 do
    local needle, want = ARGV[b], ARGV[b + 1]
    local i, j = string.find(dv, needle, 1, true)
    if needle ~= '' and i then
      local tail = string.sub(dv, j + 1, j + #want + 1)
      if want == '' or (tail ~= want .. ',' and tail ~= want .. '}') then
        return { 0, 'binding', string.sub(raw, at, at + ul - 1) }
      end
    end
  end
end
local itn = tonumber(it) + 0.0
if ien - now < tonumber(ARGV[3]) * itn then
  local ae = tonumber(ae) + 0.0
  local p = redis.call('PTTL', k)
  if type(p) ~= 'number' or p <= 0 then p = math.max(ae - now, 0) + tonumber(ARGV[4]) end
  -- The text from absoluteExpiresAt on is kept as it is.
  raw = string.sub(raw, 1, 6) .. v .. ',' .. c .. ',' .. string.format('%.0f', now) .. ',' ..
    string.format('%.0f', math.min(now + itn, ae)) .. ',' .. string.sub(raw, 11 + #v + #c + #la + #ie)
  redis.call('SET', k, raw, 'PX', string.format('%.0f', p))
  if ul > 2 then
    redis.call('ZADD', string.sub(k, 1, ${BASE_END}) .. 'x', 'XX', string.format('%.0f', math.min(now + itn, ae)), string.sub(k, ${REST_FROM}))
  end
end
return { 0, st, raw }
`;

// The slide of a validation whose only write is a due slide (the client decided it from a GET, see
// _redis_validate.ts): a compare-and-set on the record's text through its current hash (version,
// times, hash: any write to the record changes one of them), which splices in the slid
// lastActiveAt and idleExpiresAt and keeps the rest of the record as stored. GET, PTTL, SET, and
// ZADD XX on the user's liveness index. KEYS[1] = P{tag}:s:<rest>; ARGV = expected text,
// replacement text, new idle expiry ('' for an anonymous session: no index), the record's Redis
// TTL when it has none (ms). Reply: { 0, 'ok' }, or { 0, 'moved' } when the record is not the one
// the GET read (then the validate script decides).
const SLIDE = `
local k, expected = KEYS[1], ARGV[1]
local raw = redis.pcall('GET', k)
if type(raw) ~= 'string' or string.sub(raw, 1, #expected) ~= expected then return { 0, 'moved' } end
local p = redis.call('PTTL', k)
if type(p) ~= 'number' or p <= 0 then p = ARGV[4] else p = string.format('%.0f', p) end
redis.call('SET', k, ARGV[2] .. string.sub(raw, #expected + 1), 'PX', p)
if ARGV[3] ~= '' then
  redis.call('ZADD', string.sub(k, 1, ${BASE_END}) .. 'x', 'XX', ARGV[3], string.sub(k, ${REST_FROM}))
end
return { 0, 'ok' }
`;

// The sweep's removal of a kept reply (P{tag}:o:<op>, see remember in _redis_lua.ts).
const FORGET = `
redis.call('DEL', KEYS[1])
return { 0 }
`;

const ROTATE = `
local k, idx, ck = KEYS[1], KEYS[2], KEYS[3]
local rest, now, hash, newHash = ARGV[1], num(ARGV[2]), ARGV[3], ARGV[4]
local grace, keep, margin = num(ARGV[5]), num(ARGV[6]), num(ARGV[7])
-- ARGV[8] = kind letter ('' = any); ARGV[9..12] = bound facts, checked before any change;
-- ARGV[13] = operation id, ARGV[14] = replay TTL, ARGV[15] = '1' to re-authenticate (sets
-- authenticatedAt on a rotation of a session with a user).
local st, r = lookup(k, idx, rest, now, hash)
if r and ARGV[8] ~= '' and r.kd ~= ARGV[8] then return { corrupt, 'invalid' } end
-- A re-run of this rotation (its new hash is installed; nobody else knows that secret): same answer.
if r and r.h == newHash then return done(view({ corrupt, 'rotated' }, r)) end
local ok = string.sub(idx, 1, -2) .. 'o:' .. ARGV[13]
if st == 'invalid' then return done(replay(ok) or { corrupt, st }) end
if claimed(ck) then return { corrupt, 'busy' } end
if st ~= 'reused' and (bindFails(r.dv, ARGV[9], ARGV[10]) or bindFails(r.dv, ARGV[11], ARGV[12])) then
  return { corrupt, 'binding', r.u }
end
if st == 'ok' then
  local list = {}
  for x in string.gmatch(r.r, '[^,]+') do list[#list + 1] = x end
  list[#list + 1] = r.h
  while #list > keep do table.remove(list, 1) end
  r.r = table.concat(list, ',')
  r.h = newHash
  r.raw = nil
  set(r, 'la', now)
  set(r, 'ie', math.min(now + r.it, r.ae))
  set(r, 'ra', now)
  set(r, 'gu', now + grace)
  if ARGV[15] == '1' and r.u ~= '""' then set(r, 'au', now) end
  save(k, r, now, margin)
  if r.u ~= '""' then redis.call('ZADD', string.sub(idx, 1, -2) .. 'x', 'XX', r.text.ie, rest) end
  return done(view({ corrupt, 'rotated' }, r))
end
if st == 'grace' then return done(view({ corrupt, 'grace' }, r)) end
kill(k, r, idx, rest)
return done(remember(ok, ARGV[14], { corrupt, st, r.u }))
`;

// Attach: claim the anonymous session (it stays valid meanwhile; writes to it wait), then, after
// the new session was created in the user's slot, commit (remove it) or abort (release it).
const CLAIM = `
local k, idx, ck = KEYS[1], KEYS[2], KEYS[3]
local rest, now, hash, token, claimMs = ARGV[1], num(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
local st, r = lookup(k, idx, rest, now, hash)
-- Only a cookie session can be logged into.
if r and r.kd ~= 'S' then return { corrupt, 'invalid' } end
-- The token is the operation id: a re-run finds its own claim, or the reuse verdict it kept.
local ok = string.sub(idx, 1, -2) .. 'o:' .. token
if st == 'invalid' then return done(replay(ok) or { corrupt, st }) end
if claimed(ck) then
  if st ~= 'reused' and str(redis.pcall('GET', ck)) == token then
    return done(view({ corrupt, 'claimed' }, r))
  end
  return { corrupt, 'busy' }
end
if st == 'reused' then
  kill(k, r, idx, rest)
  return done(remember(ok, ARGV[6], { corrupt, st, r.u }))
end
if r.u ~= '""' then return { corrupt, 'not-anonymous' } end
redis.call('SET', ck, token, 'PX', claimMs)
return done(view({ corrupt, 'claimed' }, r))
`;

const COMMIT = `
local k, ck, token, remove = KEYS[1], KEYS[2], ARGV[1], ARGV[2]
local ok = string.sub(ck, 1, ${BASE_END}) .. 'o:' .. token .. '.c'
if str(redis.pcall('GET', ck)) ~= token then return done(replay(ok) or { corrupt, 'lost' }) end
if remove == '1' then redis.call('DEL', k, ck) else redis.call('DEL', ck) end
return done(remember(ok, ARGV[3], { corrupt, 'ok' }))
`;

// get / destroy / update of one session by id.
const READ = `
local k, idx, ck = KEYS[1], KEYS[2], KEYS[3]
local rest, now, mode, margin = ARGV[1], num(ARGV[2]), ARGV[3], num(ARGV[6])
-- ARGV[7] = operation id, ARGV[8] = replay TTL: a re-run of an update or destroy answers the first
-- run's reply (kept under P{tag}:o:<op>) and changes nothing more.
local ok = string.sub(idx, 1, -2) .. 'o:' .. ARGV[7]
local write = mode == 'update' or mode == 'destroy'
if write then
  local again = replay(ok)
  if again then return done(again) end
end
local r = load(k)
if not r or not alive(k, r, idx, rest, now) then return { corrupt, 'none' } end
if write and claimed(ck) then return { corrupt, 'busy' } end
if mode == 'destroy' then
  kill(k, r, idx, rest)
  return done(remember(ok, ARGV[8], view({ corrupt, 'ok' }, r)))
elseif mode == 'update' then
  if ARGV[5] ~= '' and num(ARGV[5]) ~= r.v then return done(view({ corrupt, 'conflict' }, r)) end
  r.d = ARGV[4]
  r.raw = nil
  set(r, 'v', r.v + 1)
  save(k, r, now, margin)
  return done(remember(ok, ARGV[8], view({ corrupt, 'ok' }, r)))
elseif mode == 'purge' then
  redis.call('DEL', k)
  unindex(idx, rest)
end
return done(view({ corrupt, 'ok' }, r))
`;

// list / destroyAll / prune (sweep) over a user's index.
const INDEX = `
local idx = KEYS[1]
local kp, now, uid, mode, except = ARGV[1], num(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
-- ARGV[6] = operation id, ARGV[7] = replay TTL: a re-run of destroyAll answers the first reply.
local ok = mode == 'destroy' and kp .. 'o:' .. ARGV[6]
if ok then
  local again = replay(ok)
  if again then return done(again) end
end
local live = prune(idx, kp, now, uid)
if mode == 'prune' then return { corrupt, 'ok', #live } end
local out = { corrupt, 'ok', 0 }
local n = 0
for i = 1, #live do
  local e = live[i]
  if mode == 'list' or e.rest ~= except then
    if mode == 'destroy' then kill(kp .. 's:' .. e.rest, e.r, idx, e.rest) end
    n = n + 1
    out[#out + 1] = e.rest
    view(out, e.r)
  end
end
out[3] = n
if ok then remember(ok, ARGV[7], out) end
return done(out)
`;

export type ScriptName =
  | "validate"
  | "slide"
  | "rotate"
  | "claim"
  | "commit"
  | "create"
  | "read"
  | "index"
  | "forget"
  | TokenScriptName;

/** The scripts, each a complete Lua chunk. */
export const SCRIPTS: Readonly<Record<ScriptName, string>> = {
  validate: VALIDATE.trim() + "\n",
  slide: SLIDE.trim() + "\n",
  rotate: script(ROTATE),
  claim: script(CLAIM),
  commit: script(COMMIT),
  create: script(CREATE),
  read: script(READ),
  index: script(INDEX),
  forget: FORGET.trim() + "\n",
  ...TOKEN_SCRIPTS,
};
