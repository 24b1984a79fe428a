// Private: DenoKvStore's access-token revocations. `["t", sid, jti]` holds a revoked token's
// expiry; `["c", "s" | "u", key]` a session's or user's cutoff. Each write is a read and one commit
// checked against the versionstamp read; a check is one read of three keys.

import type { Clock } from "../core/clock.ts";
import * as check from "../model/_arguments.ts";
import type { TokenCutoff, TokenIdentity, TokenRevocation } from "../model/store.ts";
import { type KvCore, RETRY } from "./_deno_kv_core.ts";
import type { DenoKvEntry } from "./deno_kv_store_options.ts";

type Cutoff = { readonly issuedBefore: number; readonly until: number };

const valueOf = <T>(e: DenoKvEntry | undefined): T | null =>
  e === undefined || e.versionstamp === null ? null : e.value as T;

/** Revokes one token until its expiry (the later expiry wins). */
export async function revokeToken(
  core: KvCore,
  revocation: TokenRevocation,
  clock: Clock,
): Promise<void> {
  const r = check.checkRevocation(revocation);
  const now = clock.now();
  const key = core.key("t", r.sessionId, r.jti);
  await core.attempt(async () => {
    const e = await core.kv.get(key);
    const until = Math.max(valueOf<number>(e) ?? 0, r.expiresAt);
    const op = core.kv.atomic().check({ key, versionstamp: e.versionstamp });
    return (await op.set(key, until, core.expire(until, now)).commit()).ok ? true : RETRY;
  });
}

/** Sets or merges a cutoff (merging only with one still in force). */
export async function revokeTokens(core: KvCore, cutoff: TokenCutoff, clock: Clock): Promise<void> {
  const c = check.checkCutoff(cutoff);
  const now = clock.now();
  const key = c.sessionId !== undefined
    ? core.key("c", "s", c.sessionId)
    : core.key("c", "u", c.userId!);
  await core.attempt(async () => {
    const e = await core.kv.get(key);
    const found = valueOf<Cutoff>(e);
    const old = found !== null && now < found.until ? found : null;
    const next: Cutoff = {
      issuedBefore: Math.max(old?.issuedBefore ?? 0, c.issuedBefore),
      until: Math.max(old?.until ?? 0, c.until),
    };
    const op = core.kv.atomic().check({ key, versionstamp: e.versionstamp });
    return (await op.set(key, next, core.expire(next.until, now)).commit()).ok ? true : RETRY;
  });
}

/** Whether a token is revoked: its jti, its session's cutoff or its user's, in one read. */
export async function isTokenRevoked(
  core: KvCore,
  token: TokenIdentity,
  clock: Clock,
): Promise<boolean> {
  const t = check.checkTokenIdentity(token);
  const now = clock.now();
  return await core.attempt(async () => {
    const [jti, session, user] = await core.kv.getMany([
      core.key("t", t.sessionId, t.jti),
      core.key("c", "s", t.sessionId),
      core.key("c", "u", t.userId),
    ]);
    const cuts = (e: DenoKvEntry | undefined) => {
      const c = valueOf<Cutoff>(e);
      return c !== null && now < c.until && t.issuedAt < c.issuedBefore;
    };
    const until = valueOf<number>(jti);
    return (until !== null && now < until) || cuts(session) || cuts(user);
  });
}
