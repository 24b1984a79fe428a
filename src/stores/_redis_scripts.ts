// Private: the Lua scripts of RedisStore's session operations (rotate, attach, read, index;
// validate and slide are in _redis_validate_scripts.ts, create, the login, in
// _redis_create_script.ts); token revocation scripts are in
// _redis_token_scripts.ts, the shared helpers and the portability rules in _redis_lua.ts. Every key
// a script touches shares one hash slot.

import { CREATE } from "./_redis_create_script.ts";
import { script } from "./_redis_lua.ts";
import { BASE_END, SLIDE, VALIDATE } from "./_redis_validate_scripts.ts";
import { flag, int, optionalInt, type ScriptArgs, scriptArgs, text } from "./_redis_args.ts";
import { TOKEN_SCRIPTS, type TokenScriptName } from "./_redis_token_scripts.ts";

// The sweep's removal of a kept reply (P{tag}:o:<op>, see remember in _redis_lua.ts).
const FORGET = `
redis.call('DEL', KEYS[1])
return { 0 }
`;

// kindLetter '' = any; the bound facts are checked before any change; reauthenticate '1' sets
// authenticatedAt on a rotation of a session with a user.
/** The arguments of the script below, by name. */
export interface RotateArgs {
  readonly rest: string;
  readonly now: number;
  readonly hash: string;
  readonly newHash: string;
  readonly graceMs: number;
  readonly keep: number;
  readonly margin: number;
  readonly kindLetter: string;
  readonly agentNeedle: string;
  readonly agentWant: string;
  readonly ipNeedle: string;
  readonly ipWant: string;
  readonly opId: string;
  readonly replayMs: number;
  readonly reauthenticate: boolean;
}
export const ROTATE_ARGS: ScriptArgs<RotateArgs> = scriptArgs<RotateArgs>({
  rest: text,
  now: int,
  hash: text,
  newHash: text,
  graceMs: int,
  keep: int,
  margin: int,
  kindLetter: text,
  agentNeedle: text,
  agentWant: text,
  ipNeedle: text,
  ipWant: text,
  opId: text,
  replayMs: int,
  reauthenticate: flag,
});
const ROTATE = `
${ROTATE_ARGS.lua}
local k, idx, ck = KEYS[1], KEYS[2], KEYS[3]
now, keep, margin = num(now), num(keep), num(margin)
local grace = num(graceMs)
local st, r = lookup(k, idx, rest, now, hash)
if r and kindLetter ~= '' and r.kd ~= kindLetter then return { corrupt, 'invalid' } end
-- A re-run of this rotation (its new hash is installed; nobody else knows that secret): same answer.
if r and r.h == newHash then return done(view({ corrupt, 'rotated' }, r)) end
local ok = string.sub(idx, 1, -2) .. 'o:' .. opId
if st == 'invalid' then return done(replay(ok) or { corrupt, st }) end
if claimed(ck) then return { corrupt, 'busy' } end
if st ~= 'reused' and (bindFails(r.dv, agentNeedle, agentWant) or bindFails(r.dv, ipNeedle, ipWant)) then
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
  if reauthenticate == '1' and r.u ~= '""' then set(r, 'au', now) end
  save(k, r, now, margin)
  if r.u ~= '""' then redis.call('ZADD', string.sub(idx, 1, -2) .. 'x', 'XX', r.text.ie, rest) end
  return done(view({ corrupt, 'rotated' }, r))
end
if st == 'grace' then return done(view({ corrupt, 'grace' }, r)) end
kill(k, r, idx, rest)
return done(remember(ok, replayMs, { corrupt, st, r.u }))
`;

// Attach: claim the anonymous session (it stays valid meanwhile; writes to it wait), then, after
// the new session was created in the user's slot, commit (remove it) or abort (release it).
/** The arguments of the script below, by name. */
export interface ClaimArgs {
  readonly rest: string;
  readonly now: number;
  readonly hash: string;
  readonly token: string;
  readonly claimMs: number;
  readonly replayMs: number;
}
export const CLAIM_ARGS: ScriptArgs<ClaimArgs> = scriptArgs<ClaimArgs>({
  rest: text,
  now: int,
  hash: text,
  token: text,
  claimMs: int,
  replayMs: int,
});
const CLAIM = `
${CLAIM_ARGS.lua}
local k, idx, ck = KEYS[1], KEYS[2], KEYS[3]
now = num(now)
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
  return done(remember(ok, replayMs, { corrupt, st, r.u }))
end
if r.u ~= '""' then return { corrupt, 'not-anonymous' } end
redis.call('SET', ck, token, 'PX', claimMs)
return done(view({ corrupt, 'claimed' }, r))
`;

// removeAnonymous '1': the login is done, the anonymous session goes; '0': it stays as it was.
/** The arguments of the script below, by name. */
export interface CommitArgs {
  readonly token: string;
  readonly removeAnonymous: boolean;
  readonly replayMs: number;
}
export const COMMIT_ARGS: ScriptArgs<CommitArgs> = scriptArgs<CommitArgs>({
  token: text,
  removeAnonymous: flag,
  replayMs: int,
});
const COMMIT = `
${COMMIT_ARGS.lua}
local k, ck = KEYS[1], KEYS[2]
local ok = string.sub(ck, 1, ${BASE_END}) .. 'o:' .. token .. '.c'
if str(redis.pcall('GET', ck)) ~= token then return done(replay(ok) or { corrupt, 'lost' }) end
if removeAnonymous == '1' then redis.call('DEL', k, ck) else redis.call('DEL', ck) end
return done(remember(ok, replayMs, { corrupt, 'ok' }))
`;

// get / destroy / update of one session by id.
// mode: get | destroy | update | purge; data and expectedVersion ('' = any) for update only. A
// re-run of an update or destroy (same opId) answers the first run's reply (kept under
// P{tag}:o:<op>) and changes nothing more.
/** The arguments of the script below, by name. */
export interface ReadArgs {
  readonly rest: string;
  readonly now: number;
  readonly mode: string;
  readonly data: string;
  readonly expectedVersion: number | undefined;
  readonly margin: number;
  readonly opId: string;
  readonly replayMs: number;
}
export const READ_ARGS: ScriptArgs<ReadArgs> = scriptArgs<ReadArgs>({
  rest: text,
  now: int,
  mode: text,
  data: text,
  expectedVersion: optionalInt,
  margin: int,
  opId: text,
  replayMs: int,
});
const READ = `
${READ_ARGS.lua}
local k, idx, ck = KEYS[1], KEYS[2], KEYS[3]
now, margin = num(now), num(margin)
local ok = string.sub(idx, 1, -2) .. 'o:' .. opId
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
  return done(remember(ok, replayMs, view({ corrupt, 'ok' }, r)))
elseif mode == 'update' then
  if expectedVersion ~= '' and num(expectedVersion) ~= r.v then
    return done(view({ corrupt, 'conflict' }, r))
  end
  r.d = data
  r.raw = nil
  set(r, 'v', r.v + 1)
  save(k, r, now, margin)
  return done(remember(ok, replayMs, view({ corrupt, 'ok' }, r)))
elseif mode == 'purge' then
  redis.call('DEL', k)
  unindex(idx, rest)
end
return done(view({ corrupt, 'ok' }, r))
`;

// list / destroyAll / prune (sweep) over a user's index.
// base = P{tag}:; userJson = the user id's JSON text ('' = any user: the sweep); mode: list |
// destroy | prune; exceptRest = the rest of a session destroy keeps (''). A re-run of destroyAll
// (same opId) answers the first reply.
/** The arguments of the script below, by name. */
export interface IndexArgs {
  readonly base: string;
  readonly now: number;
  readonly userJson: string;
  readonly mode: string;
  readonly exceptRest: string;
  readonly opId: string;
  readonly replayMs: number;
}
export const INDEX_ARGS: ScriptArgs<IndexArgs> = scriptArgs<IndexArgs>({
  base: text,
  now: int,
  userJson: text,
  mode: text,
  exceptRest: text,
  opId: text,
  replayMs: int,
});
const INDEX = `
${INDEX_ARGS.lua}
local idx = KEYS[1]
now = num(now)
local ok = mode == 'destroy' and base .. 'o:' .. opId
if ok then
  local again = replay(ok)
  if again then return done(again) end
end
local live = prune(idx, base, now, userJson)
if mode == 'prune' then return { corrupt, 'ok', #live } end
local out = { corrupt, 'ok', 0 }
local n = 0
for i = 1, #live do
  local e = live[i]
  if mode == 'list' or e.rest ~= exceptRest then
    if mode == 'destroy' then kill(base .. 's:' .. e.rest, e.r, idx, e.rest) end
    n = n + 1
    out[#out + 1] = e.rest
    view(out, e.r)
  end
end
out[3] = n
if ok then remember(ok, replayMs, out) end
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
