// Private: the Lua scripts of RedisStore.validate: the validate script (every verdict, atomically)
// and the slide script (the one write of a validation decided from a GET, see _redis_validate.ts).
// _redis_scripts.ts lists them with the other scripts.

import { HASH_LENGTH, REST_LENGTH } from "./_redis_codec.ts";
import { RECORD } from "./_redis_lua.ts";
import { int, number, optionalInt, type ScriptArgs, scriptArgs, text } from "./_redis_args.ts";

// Lua string.sub bounds that cut a session key P{tag}:s:<rest> (or a claim key P{tag}:c:<rest>)
// into its base P{tag}: (1 .. BASE_END) and its rest (REST_FROM .. -1).
export const BASE_END: number = -(REST_LENGTH + 3);
export const REST_FROM: number = -REST_LENGTH;

// Validation, the hot path: one GET (no TYPE first: only a miss asks TYPE, to tell a missing key
// from a value of another type), one pattern match, no helper closures, no table but the reply.
// KEYS[1] = P{tag}:s:<rest> (the index and the claim key, needed only to remove a dead or reused
// session, are derived from it: same slot); the arguments are VALIDATE_ARGS (kindLetter '' = any;
// the bound facts as (needle, want) pairs, see bindFails in _redis_lua.ts). A session of another kind is 'invalid' before any verdict; a
// binding mismatch answers 'binding' (and the user id) and writes nothing. A reuse verdict (the
// one write whose re-run would answer otherwise: the session is gone) is kept under P{tag}:o:<op>
// for a client that resends the command after losing the reply; only a miss looks there.
// Reply: { corrupt, status, record } — the record string as stored (after the slide, if any),
// decoded by _redis_codec.ts (one bulk string, no copy made in Lua), or, for 'reused' and
// 'binding', the user id's JSON text. The same checks as `parse` below: what it rejects, this rejects.
/** The arguments of the script below, by name. */
export interface ValidateArgs {
  readonly now: number;
  readonly hash: string;
  readonly threshold: number;
  readonly margin: number;
  readonly kindLetter: string;
  readonly agentNeedle: string;
  readonly agentWant: string;
  readonly ipNeedle: string;
  readonly ipWant: string;
  readonly opId: string;
  readonly replayMs: number;
}
export const VALIDATE_ARGS: ScriptArgs<ValidateArgs> = scriptArgs<ValidateArgs>({
  now: int,
  hash: text,
  threshold: number,
  margin: int,
  kindLetter: text,
  agentNeedle: text,
  agentWant: text,
  ipNeedle: text,
  ipWant: text,
  opId: text,
  replayMs: int,
});
export const VALIDATE: string = `
${VALIDATE_ARGS.lua}
local k = KEYS[1]
now = tonumber(now) + 0.0
local raw = redis.pcall('GET', k)
if type(raw) ~= 'string' then
  -- No key, or not a string: WRONGTYPE (an error table on Redis; ioredis-mock answers another type)
  local t = redis.call('TYPE', k)
  if type(t) == 'table' then t = t['ok'] end
  if t == 'none' then
    local again = redis.call('GET', string.sub(k, 1, ${BASE_END}) .. 'o:' .. opId)
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
elseif kindLetter ~= '' and kd ~= kindLetter then return { 0, 'invalid' }
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
  redis.call('SET', base .. 'o:' .. opId, u, 'PX', replayMs)
  return { 0, st, u }
end
if agentNeedle ~= '' or ipNeedle ~= '' then
  local dv = string.sub(raw, at + ul + 1, de - 1)
  local bound = { agentNeedle, agentWant, ipNeedle, ipWant }
  for b = 1, 3, 2 do
    local needle, want = bound[b], bound[b + 1]
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
if ien - now < tonumber(threshold) * itn then
  local ae = tonumber(ae) + 0.0
  local p = redis.call('PTTL', k)
  if type(p) ~= 'number' or p <= 0 then p = math.max(ae - now, 0) + tonumber(margin) end
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
// ZADD XX on the user's liveness index. KEYS[1] = P{tag}:s:<rest>; SLIDE_ARGS: score = the new idle
// expiry ('' for an anonymous session: no index), recordTtlMs = the record's Redis TTL when it has
// none. Reply: { 0, 'ok' }, or { 0, 'moved' } when the record is not the one
// the GET read (then the validate script decides).
/** The arguments of the script below, by name. */
export interface SlideArgs {
  readonly expected: string;
  readonly replacement: string;
  readonly score: number | undefined;
  readonly recordTtlMs: number;
}
export const SLIDE_ARGS: ScriptArgs<SlideArgs> = scriptArgs<SlideArgs>({
  expected: text,
  replacement: text,
  score: optionalInt,
  recordTtlMs: int,
});
export const SLIDE: string = `
${SLIDE_ARGS.lua}
local k = KEYS[1]
local raw = redis.pcall('GET', k)
if type(raw) ~= 'string' or string.sub(raw, 1, #expected) ~= expected then return { 0, 'moved' } end
local p = redis.call('PTTL', k)
if type(p) ~= 'number' or p <= 0 then p = recordTtlMs else p = string.format('%.0f', p) end
redis.call('SET', k, replacement .. string.sub(raw, #expected + 1), 'PX', p)
if score ~= '' then
  redis.call('ZADD', string.sub(k, 1, ${BASE_END}) .. 'x', 'XX', score, string.sub(k, ${REST_FROM}))
end
return { 0, 'ok' }
`;
