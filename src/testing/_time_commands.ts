// Private: the kit's commands about time — moving the clock (by an amount, or to exactly one
// millisecond before, on or after an instant the model compares) — and access-token revocation,
// whose instants (exp, iat, until, issuedBefore) are aimed at the same boundaries.

import fc from "fast-check";
import {
  cmd,
  type Command,
  instantRef,
  jtiOf,
  jtiRef,
  resolveInstant,
  user,
  userOf,
} from "./_refs.ts";
import { resolveTokenSession, tokenSessionRef } from "./_near_miss.ts";

/** Moves the clock: by an amount, or to a deadline of a session or a known instant, ±1 ms. */
export const advanceCommand: fc.Arbitrary<Command> = cmd(
  fc.oneof(
    {
      weight: 3,
      arbitrary: fc.integer({ min: 0, max: 3_000 }).map((ms) => ({ kind: "by" as const, ms })),
    },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant("edge" as const),
        ref: fc.option(fc.nat(), { nil: null, freq: 3 }),
        which: fc.constantFrom("idle", "absolute", "grace"),
        delta: fc.constantFrom(-1, 0, 1),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant("instant" as const),
        index: fc.nat(),
        delta: fc.constantFrom(-1, 0, 1),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1, max: 48 }).map((h) => ({
        kind: "by" as const,
        ms: h * 3_600_000,
      })),
    },
  ),
  () => "advance",
  (a) => async (w, _r, say) => {
    const now = w.clock.now();
    let target: number | undefined;
    let why = "";
    if (a.kind === "edge" && w.sessions.length > 0) {
      // The session of the last credential issued (usually), or any session seen.
      const pair = a.ref === null ? w.sessions.at(-1)! : w.sessions[a.ref % w.sessions.length]!;
      const s = w.state.sessions.get(pair.model);
      const at = s === undefined
        ? undefined
        : a.which === "idle"
        ? s.idleExpiresAt
        : a.which === "absolute"
        ? s.absoluteExpiresAt
        : s.graceUntil;
      if (at !== undefined) {
        target = at + a.delta;
        why = ` to ${a.which} expiry of s#${w.sessions.indexOf(pair)}${sign(a.delta)}`;
      }
    } else if (a.kind === "instant") {
      const future = w.instants().filter((t) => t + a.delta > now);
      if (future.length > 0) {
        target = future[a.index % future.length]! + a.delta;
        why = ` to a known instant${sign(a.delta)}`;
      }
    }
    const ms = a.kind === "by" ? a.ms : target !== undefined && target > now ? target - now : 1;
    say(`advance(${ms} ms${why})`);
    w.clock.advance(ms);
  },
);

const sign = (delta: number): string => delta === 0 ? "" : delta > 0 ? " +1 ms" : " -1 ms";

/** The access-token revocation commands (the one optional feature). */
export const tokenCommands: fc.Arbitrary<Command>[] = [
  cmd(
    fc.record({
      ref: tokenSessionRef,
      jti: jtiRef,
      exp: instantRef(fc.integer({ min: -1_000, max: 60_000 })),
    }),
    () => "revokeToken",
    (a) => async (w, r, say) => {
      const p = resolveTokenSession(w, a.ref);
      const jti = jtiOf(w, a.jti);
      const exp = resolveInstant(w, a.exp);
      const expiresAt = exp.at;
      w.remembered.add(expiresAt);
      say(`revokeToken(${JSON.stringify(jti)} of ${p.label}, expiresAt ${exp.label})`);
      await w.both(
        { op: "revokeToken", revocation: { jti, sessionId: p.model, expiresAt } },
        (s) => s.revokeToken({ jti, sessionId: p.real, expiresAt }),
        r.store,
      );
    },
  ),
  cmd(
    fc.record({
      scope: fc.oneof(tokenSessionRef.map((ref) => ({ ref })), user.map((userId) => ({ userId }))),
      before: instantRef(fc.integer({ min: -5_000, max: 5_000 })),
      until: instantRef(fc.integer({ min: 0, max: 60_000 })),
    }),
    () => "revokeTokens",
    (a) => async (w, r, say) => {
      const before = resolveInstant(w, a.before);
      const until = resolveInstant(w, a.until);
      const times = { issuedBefore: before.at, until: until.at };
      w.remembered.add(times.issuedBefore).add(times.until);
      const text = `issuedBefore ${before.label}, until ${until.label}`;
      if ("userId" in a.scope) {
        const cutoff = { userId: userOf(w, a.scope.userId), ...times };
        say(`revokeTokens(user ${JSON.stringify(cutoff.userId)}, ${text})`);
        await w.both({ op: "revokeTokens", cutoff }, (s) => s.revokeTokens(cutoff), r.store);
      } else {
        const p = resolveTokenSession(w, a.scope.ref);
        say(`revokeTokens(${p.label}, ${text})`);
        await w.both(
          { op: "revokeTokens", cutoff: { sessionId: p.model, ...times } },
          (s) => s.revokeTokens({ sessionId: p.real, ...times }),
          r.store,
        );
      }
    },
  ),
  cmd(
    fc.record({
      ref: tokenSessionRef,
      userId: user,
      jti: jtiRef,
      iat: instantRef(fc.integer({ min: -10_000, max: 1_000 })),
    }),
    () => "isTokenRevoked",
    (a) => async (w, r, say) => {
      const p = resolveTokenSession(w, a.ref);
      const iat = resolveInstant(w, a.iat);
      const issuedAt = iat.at;
      const jti = jtiOf(w, a.jti);
      const userId = userOf(w, a.userId);
      say(
        `isTokenRevoked(${JSON.stringify(jti)} of ${p.label}/${
          JSON.stringify(userId)
        }, iat ${iat.label})`,
      );
      await w.both(
        { op: "isTokenRevoked", token: { jti, sessionId: p.model, userId, issuedAt } },
        (s) => s.isTokenRevoked({ jti, sessionId: p.real, userId, issuedAt }),
        r.store,
      );
    },
  ),
];
