// Private: the Lua building blocks of RedisStore's scripts (_redis_scripts.ts,
// _redis_token_scripts.ts). Each operation is one script, so it is atomic and one round trip. Every key a script touches shares one hash slot: the keys it declares, plus session
// keys it derives from the `{tag}` prefix it is given (Redis Cluster allows undeclared keys of the
// local slot).
//
// Portable Lua: runs on Redis' Lua 5.1 and on ioredis-mock's fengari (Lua 5.3 with 32-bit
// integers). Hence: every number is made a float (`+ 0.0`) and printed with '%.0f', never '%d';
// a missing value may be `false` (Redis) or a userdata null (mock), so values are tested with
// `type(x) == 'string'`; TYPE answers a status table (Redis) or a string (mock); no cjson.
//
// Session record: a plain string (compact; a hash with a 200-byte field would leave listpack
// encoding), written only by these scripts (and the client's encodeNewRecord) and parsed by them
// with one pattern match. It is one JSON array, so the client decodes it with one JSON.parse
// (_redis_codec.ts); the scripts never parse JSON: they cut it by the byte lengths it carries.
//   ["K3",v,createdAt,lastActiveAt,idleExpiresAt,absoluteExpiresAt,idleTtl,rotatedAt,graceUntil,
//     authenticatedAt,"hash","retired,hashes",userBytes,deviceBytes,"userId",{device},{data}]
// K = S (cookie session) or R (refresh); authenticatedAt is -1 for an anonymous session (null). userBytes is the length of the user id's JSON text (with
// its quotes: '""' for an anonymous session), deviceBytes that of the device JSON. In the scripts
// r.u is the user id's JSON text; the client sends user ids as JSON text too (userOf decodes one).
// Every reply starts with the number of corrupt values the script found and removed.

import { HASH_LENGTH } from "./_redis_codec.ts";

// The record pattern, a literal (no per-call string building): the kind letter, 9 numbers, the
// hash, the retired hashes, the byte lengths of the user id and the device, then the position of
// the user id's JSON text.
export const RECORD: string = '^%["([SR])3",' + "(%-?%d+),".repeat(9) +
  '"([%w_%-]+)","([%w_,%-]*)",(%d+),(%d+),()';

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
  [
    "jtiEntry",
    `-- Whether a revocation hash field is a jti entry (j:<jti>, or w:<JSON text>).
local function jtiEntry(f) local p = string.sub(f, 1, 2) return p == 'j:' or p == 'w:' end`,
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
  local kd, v, c, la, ie, ae, it, ra, gu, au, h, rr, ul, dl, pos = string.match(s, '${RECORD}')
  if not pos then return nil end
  local t = { v = v, c = c, la = la, ie = ie, ae = ae, it = it, ra = ra, gu = gu, au = au }
  local r = { h = h, r = rr, text = t, kd = kd }
  for f, x in pairs(t) do
    if #x > 17 then return nil end
    r[f] = tonumber(x) + 0.0
  end
  if #h ~= ${HASH_LENGTH} or #ul > 9 or #dl > 9 then return nil end
  ul, dl = tonumber(ul), tonumber(dl)
  local de = pos + ul + dl + 1
  if ul < 2 or dl < 2 or de + 3 > #s or string.sub(s, pos + ul, pos + ul) ~= ','
    or string.sub(s, de, de) ~= ',' or string.sub(s, -1) ~= ']' then return nil end
  r.u = string.sub(s, pos, pos + ul - 1)
  r.dv = string.sub(s, pos + ul + 1, de - 1)
  r.d = string.sub(s, de + 1, -2)
  r.raw = s
  return r
end`,
  ],
  [
    "set",
    `local function set(r, field, n)
  r[field] = n
  r.text[field] = fmt(n)
  r.raw = nil
end`,
  ],
  [
    "encode",
    `-- The record's text (r.raw, unless a field changed: set and the scripts clear it).
local function encode(r)
  if r.raw then return r.raw end
  local t = r.text
  r.raw = '["' .. r.kd .. '3",' .. table.concat({ t.v, t.c, t.la, t.ie, t.ae, t.it, t.ra, t.gu, t.au,
    '"' .. r.h .. '"', '"' .. r.r .. '"', fmt(#r.u), fmt(#r.dv), r.u, r.dv, r.d }, ',') .. ']'
  return r.raw
end`,
  ],
  [
    "load",
    `-- nil: no such key; false: a value sessionkit did not write (removed, counted). One GET; TYPE
-- only when the answer is not a string (WRONGTYPE is an error on Redis, another answer on the mock).
local function load(k)
  local raw = redis.pcall('GET', k)
  if type(raw) ~= 'string' then
    if kind(k) == 'none' then return nil end
    bad(k)
    return false
  end
  local r = parse(raw)
  if not r then bad(k); return false end
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
    `-- A session in a reply: its record as stored (decoded by the client's decodeStored).
local function view(out, r)
  out[#out + 1] = encode(r)
  return out
end`,
  ],
  [
    "unindex",
    `-- A user's index is two sorted sets of the same members (the session ids after the tag):
-- P{tag}:i scored by login sequence (eviction order), P{tag}:x scored by idle expiry (liveness).
local function unindex(idx, rest)
  redis.call('ZREM', idx, rest)
  redis.call('ZREM', string.sub(idx, 1, -2) .. 'x', rest)
end`,
  ],
  [
    "kill",
    `local function kill(k, r, idx, rest)
  redis.call('DEL', k)
  if r.u ~= '""' then unindex(idx, rest) end
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
    `-- Whether the device JSON dv contradicts one bound request fact (see bindFields in
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
    "remember",
    `-- Idempotency: a write whose re-run would answer otherwise (the session it ended is gone, the
-- version it bumped moved on) keeps its reply under the operation's key ok (same slot, short TTL),
-- as <length>:<text> items; a re-run (a client resending a command whose reply was lost) answers
-- it again and changes nothing. See replay.
local function remember(ok, ms, out)
  local parts = {}
  for i = 2, #out do
    local x = out[i]
    if type(x) == 'number' then x = tostring(x) end
    parts[#parts + 1] = #x .. ':' .. x
  end
  redis.call('SET', ok, table.concat(parts), 'PX', ms)
  return out
end`,
  ],
  [
    "replay",
    `-- The reply an earlier run of this operation kept (see remember), or nil.
local function replay(ok)
  local s = str(redis.call('GET', ok))
  if not s then return nil end
  local out, i = { 0 }, 1
  while i <= #s do
    local colon = string.find(s, ':', i, true)
    if not colon then return nil end
    local n = tonumber(string.sub(s, i, colon - 1))
    out[#out + 1] = string.sub(s, colon + 1, colon + n)
    i = colon + n + 1
  end
  return out
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
    if not r or r.u == '""' or not alive(k, r, idx, rest, now) then
      unindex(idx, rest)
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
export function script(body: string): string {
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
