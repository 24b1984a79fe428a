// Private: threshold arithmetic. The slide threshold and the grace window probed where the idle
// expiry is capped by the absolute lifetime — after a capped slide, lastActiveAt + idleTtlMs and
// idleExpiresAt disagree, and a store that computes "time left" from the wrong one decides
// differently — at exactly ±1 ms of each boundary, with thresholds whose share of the idle TTL
// is not a whole number of milliseconds.

import fc from "fast-check";
import { cmd, type Command, moveTo, type Real } from "./_refs.ts";
import type { World } from "./_world.ts";

async function validate(w: World, r: Real, index: number, slideThreshold?: number) {
  const c = w.credentials[index]!;
  const options = slideThreshold === undefined ? undefined : { slideThreshold };
  w.note(`validate(cred#${index}${options ? `, ${JSON.stringify(options)}` : ""})`);
  await w.both(
    { op: "validate", credential: c.model, ...(options ? { options } : {}) },
    (s) => s.validate(c.real, options),
    r.store,
  );
}

/**
 * A session slid once with its idle expiry capped by the absolute one, then a validate with a
 * threshold at the slide boundary ±1 ms (or a rotation whose grace window ends around the
 * absolute expiry, its predecessor presented at ±1 ms of either end), then a read.
 */
export const thresholdProbe: fc.Arbitrary<Command> = cmd(
  fc.record({
    // Odd and small idle TTLs: threshold × TTL falls between two milliseconds.
    idleTtlMs: fc.constantFrom(7, 10, 101, 1_000),
    // How much longer the absolute lifetime is than the idle TTL, as a share of the idle TTL.
    extra: fc.constantFrom(0.3, 0.5, 0.9, 1.5),
    // When the capping slide happens, as a share of the idle TTL after creation.
    at: fc.constantFrom(0.5, 0.8, 0.95),
    probe: fc.constantFrom("slide", "slide", "grace-end", "absolute"),
    threshold: fc.constantFrom(0.1, 0.25, 0.5, 0.75, 1),
    round: fc.constantFrom("floor", "ceil"),
    delta: fc.constantFrom(-1, 0, 1),
    // Grace window length relative to the time left before the absolute expiry.
    grace: fc.constantFrom(-1, 0, 1, 1_000),
  }),
  (a) => `threshold probe: ${a.probe}`,
  (a) => async (w, r, say) => {
    const idleTtlMs = a.idleTtlMs;
    const absoluteTtlMs = idleTtlMs + Math.max(1, Math.round(a.extra * idleTtlMs));
    say(
      `threshold probe: idle ${idleTtlMs} ms, absolute ${absoluteTtlMs} ms, a capped slide, then ` +
        `${a.probe} (threshold ${a.threshold}, ${a.round} ${a.delta >= 0 ? "+" : ""}${a.delta} ms)`,
    );
    const options = { userId: w.users[1]!, idleTtlMs, absoluteTtlMs };
    w.note(`create(${JSON.stringify(options)})`);
    await w.both({ op: "create", options }, (s) => s.create(options), r.store);
    const index = w.credentials.length - 1;
    const id = w.sessions.at(-1)!;
    const session = () => w.state.sessions.get(id.model);
    // Slide where now + idle passes the absolute expiry: the idle expiry is capped.
    const created = session()!;
    moveTo(w, created.createdAt + Math.max(1, Math.floor(a.at * idleTtlMs)), "");
    await validate(w, r, index);
    const capped = session();
    if (capped === undefined) return;
    if (a.probe === "slide") {
      // The boundary: the model slides while idleExpiresAt - now < threshold × idleTtlMs.
      const edge = capped.idleExpiresAt - a.threshold * capped.idleTtlMs;
      moveTo(
        w,
        (a.round === "floor" ? Math.floor(edge) : Math.ceil(edge)) + a.delta,
        " to the slide edge",
      );
      await validate(w, r, index, a.threshold);
      if (session() !== undefined) await validate(w, r, index, a.threshold);
    } else if (a.probe === "absolute") {
      moveTo(w, capped.absoluteExpiresAt + a.delta, " to the absolute expiry");
      await validate(w, r, index, a.threshold);
    } else {
      // A rotation whose grace window ends just before, at or after the absolute expiry.
      const left = capped.absoluteExpiresAt - w.clock.now();
      const graceMs = Math.max(0, a.grace === 1_000 ? 1_000 : left + a.grace);
      const c = w.credentials[index]!;
      w.note(`rotate(cred#${index}, { graceMs: ${graceMs} })`);
      await w.both(
        { op: "rotate", credential: c.model, options: { graceMs } },
        (s) => s.rotate(c.real, { graceMs }),
        r.store,
      );
      const rotated = session();
      if (rotated === undefined) return;
      const end = a.round === "floor"
        ? Math.min(rotated.graceUntil, rotated.absoluteExpiresAt)
        : rotated.graceUntil;
      moveTo(w, end + a.delta, " to the grace window's end");
      await validate(w, r, index);
    }
    w.note("get(the session)");
    await w.both({ op: "get", sessionId: id.model }, (s) => s.get(id.real), r.store);
  },
);
