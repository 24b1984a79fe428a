// Private: the kit's revocation-history scenario — several cutoffs (or jti revocations) of one
// key, back-dated or not, probed at their bounds, then at every `until` still ahead.

import fc from "fast-check";
import { cmd, type Command, moveTo } from "./_refs.ts";

/** How many unrelated revocations a crowded history makes first. */
const CROWD = 100;

/** Several cutoffs (or jti revocations) of one key, back-dated or not, probed at their bounds. */
export const revocationHistory: fc.Arbitrary<Command> = cmd(
  fc.record({
    kind: fc.constantFrom("user", "session", "jti"),
    steps: fc.array(
      fc.record({
        before: fc.constantFrom(-1, 0, 1, -2_000, 2_000),
        until: fc.constantFrom(-500, -1, 0, 1, 500, 3_000),
        relative: fc.boolean(),
        gap: fc.constantFrom(0, 1, 400, 1_000),
        gapToUntil: fc.option(fc.constantFrom(-1, 0, 1), { nil: undefined, freq: 3 }),
      }),
      { minLength: 2, maxLength: 3 },
    ),
    // "backdated": the second revocation back-dated under a first one still in force — the one
    // history a store that lets the latest revocation win (instead of the furthest) gets wrong.
    // "lapsed": the second one back-dated just after the first one's `until` passed — a store
    // that merges with a lapsed cutoff it has not cleaned up yet gets it wrong.
    shape: fc.constantFrom("free", "backdated", "lapsed"),
    // Unrelated revocations made first (before every lapsed history and a quarter of the others),
    // so a store that cleans up lazily (a few entries per call) still holds a lapsed cutoff when
    // the next revocation arrives.
    crowded: fc.constantFrom(false, false, false, true),
  }),
  (a) => `revocation history (${a.kind})`,
  (a) => async (w, r, say) => {
    const crowd = a.crowded || a.shape === "lapsed" ? CROWD : 0;
    say(
      `revocation history of one ${a.kind}: ${a.steps.length} revocations${
        a.shape === "backdated"
          ? " (the second back-dated)"
          : a.shape === "lapsed"
          ? " (the second back-dated after the first lapsed)"
          : ""
      }${crowd > 0 ? ` among ${crowd} other revocations` : ""}, probed at their bounds`,
    );
    const sid = w.sessions.at(-1) ?? { real: "s0", model: "s0" };
    for (let i = 0; i < crowd; i++) {
      const rev = { jti: `crowd${i}`, sessionId: "crowd", expiresAt: w.clock.now() + 86_400_000 };
      await w.both(
        { op: "revokeToken", revocation: rev },
        (s) => s.revokeToken(rev),
        r.store,
      );
    }
    let last: { issuedBefore: number; until: number } | undefined;
    const probes = new Set<number>();
    const untils = new Set<number>();
    const probe = async (iats: Iterable<number>): Promise<void> => {
      for (const iat of iats) {
        if (iat < 0) continue;
        const token = { jti: w.jtis[1]!, sessionId: sid.model, userId: w.users[1]!, issuedAt: iat };
        w.note(`isTokenRevoked(iat ${iat - w.clock.now()} from now)`);
        await w.both(
          { op: "isTokenRevoked", token },
          (s) => s.isTokenRevoked({ ...token, sessionId: sid.real }),
          r.store,
        );
      }
    };
    for (const [i, drawn] of a.steps.entries()) {
      const step = a.shape === "free" || i > 1 ? drawn : i === 0
        ? {
          ...drawn,
          relative: false,
          until: Math.max(drawn.until, 500),
          gapToUntil: a.shape === "lapsed" ? Math.max(drawn.gapToUntil ?? 0, 0) : drawn.gapToUntil,
        }
        : a.shape === "backdated"
        ? { ...drawn, relative: true, until: Math.min(drawn.until, -1) }
        : { ...drawn, relative: true, before: Math.min(drawn.before, -1), until: 3_000 };
      const now = w.clock.now();
      const base = step.relative && last !== undefined ? last : { issuedBefore: now, until: now };
      const times = {
        issuedBefore: Math.max(0, base.issuedBefore + step.before),
        until: Math.max(0, base.until + step.until),
      };
      last = times;
      untils.add(times.until);
      probes.add(times.issuedBefore - 1).add(times.issuedBefore).add(times.issuedBefore + 1);
      w.remembered.add(times.until).add(times.issuedBefore);
      if (a.kind === "jti") {
        const rev = { jti: w.jtis[1]!, sessionId: sid.model, expiresAt: times.until };
        w.note(
          `revokeToken(jh, expiresAt now${times.until - now >= 0 ? "+" : ""}${times.until - now})`,
        );
        await w.both(
          { op: "revokeToken", revocation: rev },
          (s) => s.revokeToken({ ...rev, sessionId: sid.real }),
          r.store,
        );
      } else {
        const scope = a.kind === "user" ? { userId: w.users[1]! } : { sessionId: sid.model };
        const real = a.kind === "user" ? { userId: w.users[1]! } : { sessionId: sid.real };
        w.note(
          `revokeTokens(${a.kind}, issuedBefore ${times.issuedBefore - now}, until ${
            times.until - now
          } from now)`,
        );
        await w.both(
          { op: "revokeTokens", cutoff: { ...scope, ...times } as never },
          (s) => s.revokeTokens({ ...real, ...times } as never),
          r.store,
        );
      }
      // A lapsing first cutoff is probed while in force, and the second revocation follows its
      // lapse with no call in between (a store that cleans up on every call gets no extra turn).
      const lapsing = a.shape === "lapsed" && i === 0;
      if (lapsing) await probe(probes);
      if (step.gapToUntil !== undefined) moveTo(w, times.until + step.gapToUntil, " to until");
      else w.clock.advance(step.gap);
      if (!lapsing) await probe(probes);
    }
    // Then every `until` still ahead, in order, at exactly until - 1, until and until + 1: a
    // later revocation that shortened (or failed to extend) an earlier one shows between them.
    const latest = [...probes].slice(-3);
    for (const until of [...untils].sort((x, y) => x - y)) {
      for (const at of [until - 1, until, until + 1]) {
        if (at < w.clock.now()) continue;
        moveTo(w, at, " to a revocation's until");
        await probe(a.kind === "jti" ? latest.slice(1, 2) : latest);
      }
    }
  },
);
