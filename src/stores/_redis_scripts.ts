// Private: the Lua scripts of RedisStore. Each operation is one script, so it is atomic and one
// round trip. Every key a script touches shares one hash slot: the keys it declares, plus session
// keys it derives from the `{tag}` prefix it is given (Redis Cluster allows undeclared keys of the
// local slot).
//
// Portable Lua: runs on Redis' Lua 5.1 and on ioredis-mock's fengari (Lua 5.3 with 32-bit
// integers). Hence: every number is made a float (`+ 0.0`) and printed with '%.0f', never '%d';
// a missing value may be `false` (Redis) or a userdata null (mock), so values are tested with
// `type(x) == 'string'`; TYPE answers a status table (Redis) or a string (mock); no cjson.
//
// Session record: a plain string (compact; a hash with a 200-byte field would leave listpack
// encoding), written only by these scripts and parsed by them. The first letter is the session's
// kind: S (cookie session; records written before kinds existed read as cookie) or R (refresh):
//   S1|v|createdAt|lastActiveAt|idleExpiresAt|absoluteExpiresAt|idleTtl|rotatedAt|graceUntil|
//     hash|retired,hashes|userIdBytes|deviceBytes|<userId><deviceJson><dataJson>
// Every reply starts with the number of corrupt values the script found and removed.

// The record pattern, a literal (no per-call string building): 8 numbers, the hash, the retired
// hashes, the byte lengths of userId and device JSON, then the position of the payload.
const RECORD = "^[SR]1|" + "(%-?%d+)|".repeat(8) + "([%w_%-]+)|([%w_,%-]*)|(%d+)|(%d+)|()";

// Shared helpers, in dependency order. A script gets only the helpers it calls (see `script`):
// each `local function` is a closure created on every call, so unused ones cost time in Redis.
const HELPERS: readonly (readonly [name: string, code: string])[] = [
  ["str", `local function str(x) if type(x) == 'string' then return x end return nil end`],
  ["num", `local function num(x) return tonumber(x) + 0.0 end`],
  [
    "int",
    `local function int(x)
  x = str(x)
  if not x or not string.match(x, '^%-?%d+$') then return nil end
  local n = tonumber(x)
  if n == nil then return nil end
  n = n + 0.0
  if n > 9007199254740991 or n < -9007199254740991 then return nil end
  return n
end`,
  ],
  [
    "done",
    `-- ioredis-mock only converts tables built by a constructor into replies
local function done(out) if _VERSION == 'Lua 5.1' then return out end return { unpack(out) } end`,
  ],
  ["fmt", `local function fmt(n) return string.format('%.0f', n) end`],
  [
    "kind",
    `local function kind(k)
  local t = redis.call('TYPE', k)
  if type(t) == 'table' then t = t['ok'] end
  return t
end`,
  ],
  ["bad", `local function bad(k) redis.call('DEL', k); corrupt = corrupt + 1 end`],
  [
    "extend",
    `local function extend(k, ms)
  ms = math.ceil(ms)
  if ms < 1 then ms = 1 end
  local p = redis.call('PTTL', k)
  if type(p) ~= 'number' or p < ms then redis.call('PEXPIRE', k, fmt(ms)) end
end`,
  ],
  [
    "hashOrNone",
    `-- Removes a value of the wrong type; true when it did.
local function hashOrNone(k)
  local t = kind(k)
  if t ~= 'none' and t ~= 'hash' then bad(k); return true end
  return false
end`,
  ],
  [
    "parse",
    `-- One pattern match; numbers keep their text (replies reuse it) unless they change (see set).
local function parse(s)
  local v, c, la, ie, ae, it, ra, gu, h, rr, ul, dl, pos = string.match(s, '${RECORD}')
  if not pos then return nil end
  local t = { v = v, c = c, la = la, ie = ie, ae = ae, it = it, ra = ra, gu = gu }
  local r = { h = h, r = rr, text = t, kd = string.sub(s, 1, 1) }
  for f, x in pairs(t) do
    if #x > 17 then return nil end
    r[f] = tonumber(x) + 0.0
  end
  if #h ~= 43 or #ul > 9 or #dl > 9 then return nil end
  ul, dl = tonumber(ul), tonumber(dl)
  if dl < 2 or pos + ul + dl + 1 > #s then return nil end
  r.u = string.sub(s, pos, pos + ul - 1)
  r.dv = string.sub(s, pos + ul, pos + ul + dl - 1)
  r.d = string.sub(s, pos + ul + dl)
  return r
end`,
  ],
  [
    "set",
    `local function set(r, field, n)
  r[field] = n
  r.text[field] = fmt(n)
end`,
  ],
  [
    "encode",
    `local function encode(r)
  local t = r.text
  return table.concat({ r.kd .. '1', t.v, t.c, t.la, t.ie, t.ae, t.it, t.ra, t.gu, r.h, r.r, fmt(#r.u),
    fmt(#r.dv), r.u .. r.dv .. r.d }, '|')
end`,
  ],
  [
    "load",
    `-- nil: no such key; false: a value sessionkit did not write (removed, counted)
local function load(k)
  local t = kind(k)
  if t == 'none' then return nil end
  if t ~= 'string' then bad(k); return false end
  local raw = str(redis.call('GET', k))
  local r = raw and parse(raw)
  if not r then bad(k); return false end
  r.raw = raw
  return r
end`,
  ],
  [
    "save",
    `local function save(k, r, now, margin)
  local p = redis.call('PTTL', k)
  if type(p) ~= 'number' or p <= 0 then p = math.max(r.ae - now, 0) + margin end
  redis.call('SET', k, encode(r), 'PX', fmt(p))
end`,
  ],
  [
    "view",
    `local function view(out, r)
  local t = r.text
  local fields = { r.u, r.d, t.v, r.dv, t.c, t.la, t.ie, t.ae, t.it, t.ra, r.kd }
  for i = 1, #fields do out[#out + 1] = fields[i] end
  return out
end`,
  ],
  [
    "kill",
    `local function kill(k, r, idx, rest)
  redis.call('DEL', k)
  if r.u ~= '' then redis.call('ZREM', idx, rest) end
end`,
  ],
  [
    "alive",
    `local function alive(k, r, idx, rest, now)
  if now >= r.ie then kill(k, r, idx, rest); return false end
  return true
end`,
  ],
  [
    "lookup",
    `local function lookup(k, idx, rest, now, hash)
  local r = load(k)
  if not r or not alive(k, r, idx, rest, now) then return 'invalid' end
  if hash == r.h then return 'ok', r end
  local list = {}
  for x in string.gmatch(r.r, '[^,]+') do list[#list + 1] = x end
  if #list > 0 and list[#list] == hash and now < r.gu then return 'grace', r end
  for i = 1, #list do
    if list[i] == hash then return 'reused', r end
  end
  return 'invalid'
end`,
  ],
  [
    "bindFails",
    `-- Whether the device JSON dv contradicts one bound request fact (see bindArgs in
-- _redis_codec.ts): needle '' = not bound; want '' = the request had none, else its JSON text.
local function bindFails(dv, needle, want)
  if needle == '' then return false end
  local i, j = string.find(dv, needle, 1, true)
  if not i then return false end
  if want == '' then return true end
  local tail = string.sub(dv, j + 1, j + #want + 1)
  return tail ~= want .. ',' and tail ~= want .. '}'
end`,
  ],
  [
    "claimed",
    `-- An attach in flight holds a claim on an anonymous session: writes to it wait (answer 'busy').
local function claimed(ck) return redis.call('EXISTS', ck) == 1 end`,
  ],
  [
    "prune",
    `-- Live sessions of the index in login order; removes what is dead, missing, corrupt or foreign.
-- uid '' accepts any user (sweep).
local function prune(idx, kp, now, uid)
  local t = kind(idx)
  if t == 'none' then return {} end
  if t ~= 'zset' then bad(idx); return {} end
  local m = redis.call('ZRANGE', idx, 0, -1, 'WITHSCORES')
  local out = {}
  for i = 1, #m, 2 do
    local rest, score = m[i], tonumber(m[i + 1]) or 0
    local k = kp .. 's:' .. rest
    local r = load(k)
    if not r or r.u == '' or not alive(k, r, idx, rest, now) then
      redis.call('ZREM', idx, rest)
    elseif uid == '' or r.u == uid then
      out[#out + 1] = { rest = rest, score = score + 0.0, r = r }
    end
  end
  return out
end`,
  ],
];

const calls = (code: string, name: string): boolean => new RegExp(`\\b${name}\\(`).test(code);

/** A complete script: `corrupt`, the helpers the body needs (directly or through helpers), the body. */
function script(body: string): string {
  const used = new Set<string>();
  let code = body;
  // Helpers only call helpers defined before them: one pass from the last to the first suffices.
  for (let i = HELPERS.length - 1; i >= 0; i--) {
    const [name, helper] = HELPERS[i]!;
    if (calls(code, name)) {
      used.add(name);
      code += helper;
    }
  }
  const helpers = HELPERS.filter(([name]) => used.has(name)).map(([, helper]) => helper);
  return ["local corrupt = 0", ...helpers, body.trim(), ""].join("\n");
}

// Validation, the hot path: one GET (no TYPE first: only a miss asks TYPE, to tell a missing key
// from a value of another type), one pattern match, no helper closures, no table but the reply.
// KEYS[1] = P{tag}:s:<rest> (the index and the claim key, needed only to remove a dead or reused
// session, are derived from it: same slot); ARGV = now, hash, slide threshold, gcMargin, kind
// letter ('' = any), then two bound facts as (needle, want) pairs (see bindFails): a session of
// another kind is 'invalid' before any verdict; a binding mismatch answers 'binding' and writes
// nothing.
// Reply: { corrupt, status, record } — the record string as stored (after the slide, if any),
// decoded by _redis_codec.ts (one bulk string instead of 10 fields, and no copy made in Lua), or,
// for 'reused', the user id. The same checks as `parse` below: what it rejects, this rejects.
const VALIDATE = `
local k = KEYS[1]
local now, hash = tonumber(ARGV[1]) + 0.0, ARGV[2]
local raw = redis.pcall('GET', k)
if type(raw) ~= 'string' then
  -- No key, or not a string: WRONGTYPE (an error table on Redis; ioredis-mock answers another type)
  local t = redis.call('TYPE', k)
  if type(t) == 'table' then t = t['ok'] end
  if t == 'none' then return { 0, 'invalid' } end
  redis.call('DEL', k)
  return { 1, 'invalid' }
end
local v, c, la, ie, ae, it, ra, gu, h, old, ul, dl, at = string.match(raw, '${RECORD}')
if not at or #v > 17 or #c > 17 or #la > 17 or #ie > 17 or #ae > 17 or #it > 17 or #ra > 17
  or #gu > 17 or #h ~= 43 or #ul > 9 or #dl > 9 then
  redis.call('DEL', k)
  return { 1, 'invalid' }
end
ul, dl = tonumber(ul), tonumber(dl)
if dl < 2 or at + ul + dl + 1 > #raw then
  redis.call('DEL', k)
  return { 1, 'invalid' }
end
local ien = tonumber(ie) + 0.0
local st = 'ok'
if now >= ien then st = 'dead'
elseif ARGV[5] ~= '' and string.sub(raw, 1, 1) ~= ARGV[5] then return { 0, 'invalid' }
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
  local base, rest = string.sub(k, 1, -25), string.sub(k, -22)
  if st == 'reused' and redis.call('EXISTS', base .. 'c:' .. rest) == 1 then return { 0, 'busy' } end
  redis.call('DEL', k)
  if ul > 0 then redis.call('ZREM', base .. 'i', rest) end
  if st == 'dead' then return { 0, 'invalid' } end
  return { 0, st, string.sub(raw, at, at + ul - 1) }
end
if ARGV[6] ~= '' or ARGV[8] ~= '' then
  local dv = string.sub(raw, at + ul, at + ul + dl - 1)
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
  raw = string.sub(raw, 1, 3) .. v .. '|' .. c .. '|' .. string.format('%.0f', now) .. '|' ..
    string.format('%.0f', math.min(now + itn, ae)) .. '|' .. string.sub(raw, 8 + #v + #c + #la + #ie)
  redis.call('SET', k, raw, 'PX', string.format('%.0f', p))
end
return { 0, st, raw }
`;

const ROTATE = `
local k, idx, ck = KEYS[1], KEYS[2], KEYS[3]
local rest, now, hash, newHash = ARGV[1], num(ARGV[2]), ARGV[3], ARGV[4]
local grace, keep, margin = num(ARGV[5]), num(ARGV[6]), num(ARGV[7])
local st, r = lookup(k, idx, rest, now, hash)
-- ARGV[8] = kind letter ('' = any); ARGV[9..12] = bound facts, checked before any change.
if r and ARGV[8] ~= '' and r.kd ~= ARGV[8] then return { corrupt, 'invalid' } end
if st ~= 'invalid' and claimed(ck) then return { corrupt, 'busy' } end
if (st == 'ok' or st == 'grace') and
  (bindFails(r.dv, ARGV[9], ARGV[10]) or bindFails(r.dv, ARGV[11], ARGV[12])) then
  return { corrupt, 'binding', r.u }
end
if st == 'ok' then
  local list = {}
  for x in string.gmatch(r.r, '[^,]+') do list[#list + 1] = x end
  list[#list + 1] = r.h
  while #list > keep do table.remove(list, 1) end
  r.r = table.concat(list, ',')
  r.h = newHash
  set(r, 'la', now)
  set(r, 'ie', math.min(now + r.it, r.ae))
  set(r, 'ra', now)
  set(r, 'gu', now + grace)
  save(k, r, now, margin)
  return done(view({ corrupt, 'rotated' }, r))
end
if st == 'grace' then return done(view({ corrupt, 'grace' }, r)) end
if st == 'reused' then
  kill(k, r, idx, rest)
  return { corrupt, st, r.u }
end
return { corrupt, st }
`;

// Attach: claim the anonymous session (it stays valid meanwhile; writes to it wait), then, after
// the new session was created in the user's slot, commit (remove it) or abort (release it).
const CLAIM = `
local k, idx, ck = KEYS[1], KEYS[2], KEYS[3]
local rest, now, hash, token, claimMs = ARGV[1], num(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
local st, r = lookup(k, idx, rest, now, hash)
-- Only a cookie session can be logged into.
if r and r.kd ~= 'S' then return { corrupt, 'invalid' } end
if st ~= 'invalid' and claimed(ck) then return { corrupt, 'busy' } end
if st == 'reused' then
  kill(k, r, idx, rest)
  return { corrupt, st, r.u }
end
if st == 'invalid' then return { corrupt, st } end
if r.u ~= '' then return { corrupt, 'not-anonymous' } end
redis.call('SET', ck, token, 'PX', claimMs)
return done(view({ corrupt, 'claimed' }, r))
`;

const COMMIT = `
local k, ck, token, remove = KEYS[1], KEYS[2], ARGV[1], ARGV[2]
if str(redis.call('GET', ck)) ~= token then return { corrupt, 'lost' } end
if remove == '1' then redis.call('DEL', k) end
redis.call('DEL', ck)
return { corrupt, 'ok' }
`;

const CREATE = `
local idx, k = KEYS[1], KEYS[2]
local kp, rest, now, uid, limit, reject = ARGV[1], ARGV[2], num(ARGV[3]), ARGV[4], ARGV[5], ARGV[6]
local r = { u = uid, d = ARGV[7], dv = ARGV[8], h = ARGV[12], r = '', text = {}, kd = ARGV[14] }
set(r, 'v', 1)
set(r, 'c', now)
set(r, 'la', now)
set(r, 'ra', now)
set(r, 'gu', 0)
set(r, 'ie', num(ARGV[9]))
set(r, 'ae', num(ARGV[10]))
set(r, 'it', num(ARGV[11]))
local gc = num(ARGV[13])
local evicted = {}
if uid ~= '' then
  local live = prune(idx, kp, now, uid)
  local n = #live
  local excess = 0
  if limit ~= '' then excess = n - num(limit) + 1 end
  if excess > 0 and reject == '1' then return { corrupt, 'limit' } end
  local seq = 1
  if n > 0 then seq = live[n].score + 1 end
  for i = 1, excess do
    local e = live[i]
    kill(kp .. 's:' .. e.rest, e.r, idx, e.rest)
    evicted[#evicted + 1] = e
  end
  redis.call('ZADD', idx, fmt(seq), rest)
  extend(idx, gc)
end
redis.call('SET', k, encode(r), 'PX', fmt(math.ceil(gc)))
local out = { corrupt, 'created', #evicted }
for i = 1, #evicted do
  out[#out + 1] = evicted[i].rest
  view(out, evicted[i].r)
end
return done(out)
`;

// get / destroy / update of one session by id.
const READ = `
local k, idx, ck = KEYS[1], KEYS[2], KEYS[3]
local rest, now, mode, margin = ARGV[1], num(ARGV[2]), ARGV[3], num(ARGV[6])
local r = load(k)
if not r or not alive(k, r, idx, rest, now) then return { corrupt, 'none' } end
if (mode == 'update' or mode == 'destroy') and claimed(ck) then return { corrupt, 'busy' } end
if mode == 'destroy' then
  kill(k, r, idx, rest)
elseif mode == 'update' then
  if ARGV[5] ~= '' and num(ARGV[5]) ~= r.v then return done(view({ corrupt, 'conflict' }, r)) end
  r.d = ARGV[4]
  set(r, 'v', r.v + 1)
  save(k, r, now, margin)
elseif mode == 'purge' then
  redis.call('DEL', k)
  redis.call('ZREM', idx, rest)
end
return done(view({ corrupt, 'ok' }, r))
`;

// list / destroyAll / prune (sweep) over a user's index.
const INDEX = `
local idx = KEYS[1]
local kp, now, uid, mode, except = ARGV[1], num(ARGV[2]), ARGV[3], ARGV[4], ARGV[5]
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
return done(out)
`;

const REVOKE_TOKEN = `
local k = KEYS[1]
local now, f, exp, margin = num(ARGV[1]), 'j:' .. ARGV[2], num(ARGV[3]), num(ARGV[4])
hashOrNone(k)
local old = int(redis.call('HGET', k, f)) or 0
local u = math.max(old, exp)
if u > now then
  redis.call('HSET', k, f, fmt(u))
  extend(k, u - now + margin)
end
if redis.call('HLEN', k) > 32 then
  local all = redis.call('HGETALL', k)
  for i = 1, #all, 2 do
    if string.sub(all[i], 1, 2) == 'j:' and (int(all[i + 1]) or 0) <= now then
      redis.call('HDEL', k, all[i])
    end
  end
end
return { corrupt }
`;

// A cutoff of a session (its revocation hash) or of a user (the user's mapping hash). A new cutoff
// merges (max of each field) only with one still in force (now < cu); a past one is replaced, as in
// the model, whether or not the sweep or Redis expiry removed it yet.
const CUTOFF = `
local k = KEYS[1]
local now, ib, cu, margin = num(ARGV[1]), num(ARGV[2]), num(ARGV[3]), num(ARGV[4])
hashOrNone(k)
local v = redis.call('HMGET', k, 'ib', 'cu')
local oldIb, oldCu = int(v[1]) or 0, int(v[2]) or 0
if now >= oldCu then oldIb, oldCu = 0, 0 end
ib = math.max(oldIb, ib)
cu = math.max(oldCu, cu)
redis.call('HSET', k, 'ib', fmt(ib), 'cu', fmt(cu))
extend(k, math.max(cu - now, 0) + margin)
return { corrupt }
`;

// Whether a token is revoked by a jti entry or a cutoff of this hash. A corrupt entry revokes
// (fail closed) and is removed.
const TOKEN_CHECK = `
local k = KEYS[1]
local now, jti, iat = num(ARGV[1]), ARGV[2], num(ARGV[3])
local revoked = 0
if hashOrNone(k) then revoked = 1 end
if jti ~= '' then
  local f = 'j:' .. jti
  local u = str(redis.call('HGET', k, f))
  if u then
    local n = int(u)
    if not n then
      redis.call('HDEL', k, f)
      corrupt = corrupt + 1
      revoked = 1
    elseif now < n then
      revoked = 1
    end
  end
end
local v = redis.call('HMGET', k, 'ib', 'cu')
if str(v[1]) or str(v[2]) then
  local ib, cu = int(v[1]), int(v[2])
  if not ib or not cu then
    redis.call('HDEL', k, 'ib', 'cu')
    corrupt = corrupt + 1
    revoked = 1
  elseif now < cu and iat < ib then
    revoked = 1
  end
end
return { corrupt, revoked }
`;

// The user's random routing tag: read it, or (login) read-or-create it and mark a login in flight.
const TAG = `
local map, marker = KEYS[1], KEYS[2]
local newTag, now, ae, ttl, markerTtl = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
hashOrNone(map)
local t = str(redis.call('HGET', map, 't'))
if t and not (#t == 11 and string.match(t, '^[A-Za-z0-9_-]+$')) then
  redis.call('HDEL', map, 't')
  corrupt = corrupt + 1
  t = nil
end
if newTag == '' then return { corrupt, t or '' } end
if not t then
  t = newTag
  redis.call('HSET', map, 't', t)
end
local oldAe = int(redis.call('HGET', map, 'ae')) or 0
redis.call('HSET', map, 'ae', fmt(math.max(oldAe, num(ae))))
extend(map, num(ttl))
redis.call('SET', marker, '1', 'PX', markerTtl)
return { corrupt, t }
`;

// Sweep of a session revocation hash: drops expired jti entries and a past cutoff.
const SWEEP_REVOCATIONS = `
local k = KEYS[1]
local now = num(ARGV[1])
hashOrNone(k)
local all = redis.call('HGETALL', k)
for i = 1, #all, 2 do
  if string.sub(all[i], 1, 2) == 'j:' and (int(all[i + 1]) or 0) <= now then
    redis.call('HDEL', k, all[i])
  end
end
local cu = redis.call('HGET', k, 'cu')
if str(cu) and (int(cu) or 0) <= now then redis.call('HDEL', k, 'ib', 'cu') end
if redis.call('HLEN', k) == 0 then redis.call('DEL', k) end
return { corrupt }
`;

// Sweep of a user mapping: forgets the tag when no session can be under it any more (every session
// created through it is past its absolute expiry, or the index is empty and no login is in flight).
const SWEEP_MAPPING = `
local map, marker = KEYS[1], KEYS[2]
local now, indexLive = num(ARGV[1]), ARGV[2]
hashOrNone(map)
local v = redis.call('HMGET', map, 't', 'ae', 'cu')
if str(v[1]) then
  if now >= (int(v[2]) or 0) then
    -- No login can be in flight: any login would have moved ae past now.
    redis.call('HDEL', map, 't', 'ae')
    redis.call('DEL', marker)
  elseif indexLive == '0' and redis.call('EXISTS', marker) == 0 then
    redis.call('HDEL', map, 't', 'ae')
  end
end
if str(v[3]) and (int(v[3]) or 0) <= now then redis.call('HDEL', map, 'ib', 'cu') end
if redis.call('HLEN', map) == 0 then redis.call('DEL', map) end
return { corrupt }
`;

/** The name of a script. */
export type ScriptName =
  | "validate"
  | "rotate"
  | "claim"
  | "commit"
  | "create"
  | "read"
  | "index"
  | "revokeToken"
  | "cutoff"
  | "tokenCheck"
  | "tag"
  | "sweepRevocations"
  | "sweepMapping";

/** The scripts, each a complete Lua chunk. */
export const SCRIPTS: Readonly<Record<ScriptName, string>> = {
  validate: VALIDATE.trim() + "\n",
  rotate: script(ROTATE),
  claim: script(CLAIM),
  commit: script(COMMIT),
  create: script(CREATE),
  read: script(READ),
  index: script(INDEX),
  revokeToken: script(REVOKE_TOKEN),
  cutoff: script(CUTOFF),
  tokenCheck: script(TOKEN_CHECK),
  tag: script(TAG),
  sweepRevocations: script(SWEEP_REVOCATIONS),
  sweepMapping: script(SWEEP_MAPPING),
};
