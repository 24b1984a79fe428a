// Private: the Lua body of RedisStore's create script (a login under the user's limit, or an
// anonymous session); _redis_scripts.ts completes it with its helpers (_redis_lua.ts).

import { flag, int, optionalInt, type ScriptArgs, scriptArgs, text } from "./_redis_args.ts";

// Create, applying the user's limit from the index alone: P{tag}:x (idle expiry) is read whole —
// its members at or before now are the dead, the rest the live count — and the last of P{tag}:i
// gives the next login sequence; only the sessions evicted are read (their views are returned).
// P{tag}:x only ever holds members of P{tag}:i (slides and rotations update it with ZADD XX), so
// counting it counts the index. The new record comes encoded by the client (_redis_codec.ts
// encodeNewRecord) and numbers come as integer text: string.format is the dearest thing a Lua script
// does here, so the script formats only the login sequence. A user below the limit costs 8–9
// commands: the replay check, the two reads, two ZADD, the TTL (one PTTL, or two PEXPIRE for a new
// or short-lived index), the record and the kept reply.
// KEYS = index, session. userId '' = anonymous; limit '' = none; reject '1' refuses a login at
// the limit (else the oldest are evicted); indexTtlMs = the Redis TTL the index is extended to
// when it is shorter than the record's (twice the record's, so that later logins seldom extend it
// again).
/** The arguments of the script below, by name. */
export interface CreateArgs {
  readonly base: string;
  readonly rest: string;
  readonly now: number;
  readonly userId: string;
  readonly limit: number | undefined;
  readonly reject: boolean;
  readonly record: string;
  readonly idleExpiresAt: number;
  readonly recordTtlMs: number;
  readonly opId: string;
  readonly replayMs: number;
  readonly indexTtlMs: number;
}
export const CREATE_ARGS: ScriptArgs<CreateArgs> = scriptArgs<CreateArgs>({
  base: text,
  rest: text,
  now: int,
  userId: text,
  limit: optionalInt,
  reject: flag,
  record: text,
  idleExpiresAt: int,
  recordTtlMs: int,
  opId: text,
  replayMs: int,
  indexTtlMs: int,
});
export const CREATE: string = `
${CREATE_ARGS.lua}
local idx, k = KEYS[1], KEYS[2]
local kp, nowText, uid, ie, gc = base, now, userId, idleExpiresAt, recordTtlMs
-- A login's re-run (same opId) answers the first run's reply and evicts nothing more. An
-- anonymous session's re-run only writes the same record again.
local ok = kp .. 'o:' .. opId
if uid ~= '' then
  local again = replay(ok)
  if again then return done(again) end
end
local now = tonumber(nowText) + 0.0
local evicted = {}
if uid ~= '' then
  local x = kp .. 'x'
  -- Without a limit only the dead are needed. On Redis a wrong type answers the read with an error
  -- (pcall); the mock has no WRONGTYPE (and its replies are no Lua tables), so there TYPE is asked.
  local read = redis.pcall
  if _VERSION ~= 'Lua 5.1' then
    read = redis.call
    local ti, tx = kind(idx), kind(x)
    if (ti ~= 'none' and ti ~= 'zset') or (tx ~= 'none' and tx ~= 'zset') then
      redis.call('DEL', idx, x)
      corrupt = corrupt + 1
    end
  end
  local members
  if limit == '' then members = read('ZRANGEBYSCORE', x, '-inf', nowText, 'WITHSCORES')
  else members = read('ZRANGE', x, 0, -1, 'WITHSCORES') end
  local last = read('ZRANGE', idx, -1, -1, 'WITHSCORES')
  if read == redis.pcall and (members.err or last.err) then
    -- Not ours: drop both (and so forget the index; its sessions still validate until they expire).
    redis.call('DEL', idx, x)
    corrupt = corrupt + 1
    members, last = {}, {}
  end
  local n = 0
  for i = 1, #members, 2 do
    if (tonumber(members[i + 1]) or 0) <= now then
      redis.call('DEL', kp .. 's:' .. members[i])
      unindex(idx, members[i])
    else
      n = n + 1
    end
  end
  local excess = 0
  if limit ~= '' then excess = n - tonumber(limit) + 1 end
  if excess > 0 and reject == '1' then return { corrupt, 'limit' } end
  -- Above every live member's (a dead last member's sequence is not reused either).
  local seq = 1
  if #last == 2 then seq = (tonumber(last[2]) or 0) + 1 end
  if excess > 0 then
    local oldest = redis.call('ZRANGE', idx, 0, excess - 1)
    for i = 1, #oldest do
      local ek = kp .. 's:' .. oldest[i]
      local e = load(ek)
      unindex(idx, oldest[i])
      if e then
        redis.call('DEL', ek)
        if now < e.ie then evicted[#evicted + 1] = { rest = oldest[i], r = e } end
      end
    end
  end
  redis.call('ZADD', idx, string.format('%.0f', seq + 0.0), rest)
  redis.call('ZADD', x, ie, rest)
  -- Both sets are written together, so they share a TTL: one PTTL (none for a new index).
  local p = -1
  if #last == 2 then p = redis.call('PTTL', idx) end
  if type(p) ~= 'number' or p < tonumber(gc) then
    redis.call('PEXPIRE', idx, indexTtlMs)
    redis.call('PEXPIRE', x, indexTtlMs)
  end
end
redis.call('SET', k, record, 'PX', gc)
local out = { corrupt, 'created', #evicted }
for i = 1, #evicted do
  out[#out + 1] = evicted[i].rest
  view(out, evicted[i].r)
end
if uid ~= '' then remember(ok, replayMs, out) end
return done(out)
`;
