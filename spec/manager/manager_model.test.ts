// Model-based run of SessionManager operations on a manual clock: a manager over MemoryStore is
// run side by side with a manager over the reference model, and access-token verification is
// checked against an independent expectation, with the clock driven to the exact instants where
// tokens expire and grace windows end (and one millisecond either side).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  AccessTokenKey,
  AccessTokenKeySet,
  type AccessTokenRevocation,
  ManualClock,
  MemoryStore,
  SessionManager,
  type SignedAccessToken,
} from "../../mod.ts";
import { ReferenceStore } from "../../src/model/mod.ts";
import { RUNS, SEEDS } from "../_support/_budget.ts";

const keys = new AccessTokenKeySet(
  await AccessTokenKey.import({ kid: "m", algorithm: "HS256", secret: new Uint8Array(32).fill(9) }),
);
const ACCESS_TTL = 60_000;
const GRACE = 1_000;

type Action =
  | { kind: "login"; user: number }
  | { kind: "refresh" | "logout" | "validate"; ref: number }
  | { kind: "verify"; ref: number }
  | { kind: "advance"; ms: number }
  | { kind: "edge"; ref: number; target: "access" | "grace"; delta: -1 | 0 | 1 };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant("login" as const), user: fc.nat({ max: 1 }) }),
  fc.record({
    kind: fc.constantFrom("refresh" as const, "logout" as const, "validate" as const),
    ref: fc.nat(),
  }),
  fc.record({ kind: fc.constant("refresh" as const), ref: fc.constant(-1) }),
  fc.record({ kind: fc.constant("verify" as const), ref: fc.nat() }),
  fc.record({ kind: fc.constant("verify" as const), ref: fc.constant(-1) }),
  fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 40_000 }) }),
  fc.record({
    kind: fc.constant("edge" as const),
    ref: fc.nat(),
    target: fc.constantFrom("access" as const, "grace" as const),
    delta: fc.constantFrom(-1 as const, 0 as const, 1 as const),
  }),
);

const outcome = (p: Promise<unknown>) =>
  p.then(() => "ok", (e: { code?: string }) => e.code ?? `uncoded ${String(e)}`);

async function runActions(actions: Action[], revocation: AccessTokenRevocation): Promise<void> {
  const clock = new ManualClock(2_000_000_000_000);
  const options = {
    clock,
    refresh: { idleTtlMs: 120_000, absoluteTtlMs: 300_000, graceMs: GRACE },
    accessTokens: { keys, ttlMs: ACCESS_TTL, revocation },
  };
  const real = new SessionManager({ ...options, store: new MemoryStore({ clock }) });
  const model = new SessionManager({ ...options, store: new ReferenceStore({ clock }) });
  const refresh: { real: string; model: string; at: number }[] = [];
  const access: { real: SignedAccessToken; model: SignedAccessToken }[] = [];
  const pick = <T>(list: T[], ref: number) => (ref < 0 ? list.at(-1) : list[ref % list.length]);

  for (const a of actions) {
    if (a.kind === "advance") clock.advance(a.ms);
    else if (a.kind === "edge") {
      const at = a.target === "access"
        ? pick(access, a.ref)?.real.expiresAt
        : (pick(refresh, a.ref)?.at ?? 0) + GRACE;
      if (at !== undefined && at + a.delta > clock.now()) clock.set(at + a.delta);
    } else if (a.kind === "login") {
      const user = `user${a.user}`;
      const [r, m] = await Promise.all([real.loginWithTokens(user), model.loginWithTokens(user)]);
      refresh.push({ real: r.refreshToken, model: m.refreshToken, at: clock.now() });
      access.push({ real: r.accessToken, model: m.accessToken });
    } else if (a.kind === "verify") {
      const pair = pick(access, a.ref);
      if (pair === undefined) continue;
      const got = await outcome(real.verifyAccessToken(pair.real.token));
      const judged = await outcome(model.verifyAccessToken(pair.model.token));
      assert.equal(got, judged, `verify: MemoryStore manager ${got}, model manager ${judged}`);
      if (clock.now() >= pair.real.expiresAt) assert.equal(got, "token-expired");
      else if (revocation === "stateless") assert.equal(got, "ok");
      else assert.ok(got === "ok" || got === "token-revoked", got);
    } else {
      const pair = pick(refresh, a.ref);
      if (pair === undefined) continue;
      if (a.kind === "refresh") {
        const [r, m] = await Promise.allSettled([
          real.refresh(pair.real),
          model.refresh(pair.model),
        ]);
        const code = (s: PromiseSettledResult<unknown>) =>
          s.status === "fulfilled" ? "ok" : (s.reason as { code: string }).code;
        assert.equal(code(r), code(m), `refresh: MemoryStore manager ${code(r)}, model ${code(m)}`);
        if (r.status === "fulfilled" && m.status === "fulfilled") {
          assert.equal(r.value.refreshToken === null, m.value.refreshToken === null);
          if (r.value.refreshToken !== null) {
            refresh.push({
              real: r.value.refreshToken,
              model: m.value.refreshToken!,
              at: clock.now(),
            });
          }
          access.push({ real: r.value.accessToken, model: m.value.accessToken });
          assert.equal(
            r.value.accessToken.expiresAt,
            Math.floor(clock.now() / 1000) * 1000 + ACCESS_TTL,
          );
        }
      } else {
        const call = (mgr: SessionManager, credential: string) =>
          a.kind === "logout" ? mgr.logout(credential) : mgr.validate(credential);
        const got = await outcome(call(real, pair.real));
        const judged = await outcome(call(model, pair.model));
        assert.equal(got, judged, `${a.kind}: MemoryStore manager ${got}, model ${judged}`);
      }
    }
  }
}

describe("SessionManager, model-based, on a manual clock", () => {
  for (const revocation of ["stateless", "session", "lists"] as AccessTokenRevocation[]) {
    for (const seed of SEEDS) {
      it(`agrees with the model at token-expiry and grace boundaries (${revocation}, seed ${seed})`, async () => {
        await fc.assert(
          fc.asyncProperty(
            fc.array(action, { minLength: 5, maxLength: 40 }),
            (actions) => runActions(actions, revocation),
          ),
          { seed, numRuns: Math.max(20, Math.floor(RUNS / 10)) },
        );
      });
    }
  }
});
