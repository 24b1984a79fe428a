// Private: the Lua scripts of token revocation (jti entries, cutoffs of a session or a user) and
// of the user hash that holds a user's cutoff. Cutoff handling lives here and only here: how a
// cutoff is stored, merged with an earlier one (CUTOFF), checked (TOKEN_CHECK) and forgotten once
// its `until` has passed (SWEEP_REVOCATIONS, SWEEP_MAPPING).

import { TAG_LENGTH } from "./_redis_codec.ts";
import { script } from "./_redis_lua.ts";
import { flag, int, type ScriptArgs, scriptArgs, text } from "./_redis_args.ts";

/** jtiField: the jti's hash field (j:<jti>, or w:<JSON text>; see _redis_key_text.ts). */
/** The arguments of the script below, by name. */
export interface RevokeTokenArgs {
  readonly now: number;
  readonly jtiField: string;
  readonly expiresAt: number;
  readonly margin: number;
}
export const REVOKE_TOKEN_ARGS: ScriptArgs<RevokeTokenArgs> = scriptArgs<RevokeTokenArgs>({
  now: int,
  jtiField: text,
  expiresAt: int,
  margin: int,
});

const REVOKE_TOKEN_BODY = `
${REVOKE_TOKEN_ARGS.lua}
local k = KEYS[1]
local f, exp = jtiField, num(expiresAt)
now, margin = num(now), num(margin)
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
    if jtiEntry(all[i]) and (int(all[i + 1]) or 0) <= now then
      redis.call('HDEL', k, all[i])
    end
  end
end
return { corrupt }
`;

// A cutoff of a session (its revocation hash) or of a user (the user's mapping hash). A new cutoff
// merges (max of issuedBefore and of until) only with one still in force (now < until); one whose
// until has passed is replaced as if absent (as in the model), whether or not the sweep or Redis
// expiry removed it.
/** The arguments of the script below, by name. */
export interface CutoffArgs {
  readonly now: number;
  readonly issuedBefore: number;
  readonly cutoffUntil: number;
  readonly margin: number;
}
export const CUTOFF_ARGS: ScriptArgs<CutoffArgs> = scriptArgs<CutoffArgs>({
  now: int,
  issuedBefore: int,
  cutoffUntil: int,
  margin: int,
});
const CUTOFF_BODY = `
${CUTOFF_ARGS.lua}
local k = KEYS[1]
local ib, cu = num(issuedBefore), num(cutoffUntil)
now, margin = num(now), num(margin)
hashOrNone(k)
local v = redis.call('HMGET', k, 'ib', 'cu')
local oldCu = int(v[2]) or 0
if now < oldCu then
  ib = math.max(int(v[1]) or 0, ib)
  cu = math.max(oldCu, cu)
end
redis.call('HSET', k, 'ib', fmt(ib), 'cu', fmt(cu))
extend(k, math.max(cu - now, 0) + margin)
return { corrupt }
`;

// Whether a token is revoked by a jti entry or a cutoff of this hash. A corrupt entry revokes
// (fail closed) and is removed.
// jtiField '' = no jti to check (only the cutoff).
/** The arguments of the script below, by name. */
export interface TokenCheckArgs {
  readonly now: number;
  readonly jtiField: string;
  readonly issuedAt: number;
}
export const TOKEN_CHECK_ARGS: ScriptArgs<TokenCheckArgs> = scriptArgs<TokenCheckArgs>({
  now: int,
  jtiField: text,
  issuedAt: int,
});
const TOKEN_CHECK_BODY = `
${TOKEN_CHECK_ARGS.lua}
local k = KEYS[1]
local f, iat = jtiField, num(issuedAt)
now = num(now)
local revoked = 0
if hashOrNone(k) then revoked = 1 end
if f ~= '' then
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

// The random routing tag an earlier layout kept in the user hash (field t), read by the sweep only:
// tags are computed now (_redis_routing.ts), so no login writes one. A malformed one is removed.
const TAG_BODY = `
local map = KEYS[1]
hashOrNone(map)
local t = str(redis.call('HGET', map, 't'))
if t and not (#t == ${TAG_LENGTH} and string.match(t, '^[A-Za-z0-9_-]+$')) then
  redis.call('HDEL', map, 't')
  corrupt = corrupt + 1
  t = nil
end
return { corrupt, t or '' }
`;

// Sweep of a session revocation hash: drops expired jti entries and a past cutoff.
/** The arguments of the script below, by name. */
export interface SweepRevocationsArgs {
  readonly now: number;
}
export const SWEEP_REVOCATIONS_ARGS: ScriptArgs<SweepRevocationsArgs> = scriptArgs<
  SweepRevocationsArgs
>({ now: int });
const SWEEP_REVOCATIONS_BODY = `
${SWEEP_REVOCATIONS_ARGS.lua}
local k = KEYS[1]
now = num(now)
hashOrNone(k)
local all = redis.call('HGETALL', k)
for i = 1, #all, 2 do
  if jtiEntry(all[i]) and (int(all[i + 1]) or 0) <= now then
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
// indexLive '1': the user's index still has a live session.
/** The arguments of the script below, by name. */
export interface SweepMappingArgs {
  readonly now: number;
  readonly indexLive: boolean;
}
export const SWEEP_MAPPING_ARGS: ScriptArgs<SweepMappingArgs> = scriptArgs<SweepMappingArgs>({
  now: int,
  indexLive: flag,
});
const SWEEP_MAPPING_BODY = `
${SWEEP_MAPPING_ARGS.lua}
local map, marker = KEYS[1], KEYS[2]
now = num(now)
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

/** The scripts of token revocation and of the user hash, by name. */
/** The names of these scripts. */
export type TokenScriptName =
  | "revokeToken"
  | "cutoff"
  | "tokenCheck"
  | "tag"
  | "sweepRevocations"
  | "sweepMapping";

export const TOKEN_SCRIPTS: Readonly<Record<TokenScriptName, string>> = {
  revokeToken: script(REVOKE_TOKEN_BODY),
  cutoff: script(CUTOFF_BODY),
  tokenCheck: script(TOKEN_CHECK_BODY),
  tag: script(TAG_BODY),
  sweepRevocations: script(SWEEP_REVOCATIONS_BODY),
  sweepMapping: script(SWEEP_MAPPING_BODY),
};
