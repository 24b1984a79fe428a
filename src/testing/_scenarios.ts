// Private: composite commands that aim at what random single steps rarely reach — a boundary
// probed at exactly t-1, t and t+1; a history of cutoffs and revocations of one key (in
// _revocation_history.ts); a rotation chain longer than the retired secrets kept, then an ancestor
// presented; logins over a small limit after activity in another order than login order; a
// session of one kind presented where the other kind is asked for, and a bound request that
// mismatches. Every step is judged by the model.

import fc from "fast-check";
import { RETIRED_SECRETS_KEPT, type SessionKind } from "../model/store.ts";
import { cmd, type Command, family, moveTo, type Real, user, userOf } from "./_refs.ts";
import { nearMissProbe } from "./_near_miss.ts";
import { revocationHistory } from "./_revocation_history.ts";
import { thresholdProbe } from "./_thresholds.ts";
import type { World } from "./_world.ts";

const TTL = { idleTtlMs: 1_000, absoluteTtlMs: 2_500 };

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

async function create(w: World, r: Real, options: Parameters<Real["store"]["create"]>[0]) {
  w.note(`create(${JSON.stringify(options)})`);
  await w.both({ op: "create", options }, (s) => s.create(options), r.store);
}

/** A session's deadline, probed at exactly t-1, t or t+1 with the read it governs. */
const boundaryProbe = cmd(
  fc.record({
    which: fc.constantFrom("idle", "absolute", "grace", "slide-0.5", "slide-0.25"),
    delta: fc.constantFrom(-1, 0, 1),
    read: fc.constantFrom("validate", "get", "list"),
    ttl: fc.constantFrom(TTL, { idleTtlMs: 1_000, absoluteTtlMs: 1_500 }, {
      idleTtlMs: 4,
      absoluteTtlMs: 9,
    }),
  }),
  (a) => `probe ${a.which} ${a.delta}`,
  (a) => async (w, r, say) => {
    say(
      `boundary probe: ${a.which} expiry ${a.delta >= 0 ? "+" : ""}${a.delta} ms, then ${a.read}`,
    );
    const owner = w.users[2]!;
    await create(w, r, { userId: owner, ...a.ttl });
    const id = w.sessions.at(-1)!;
    let cred = w.credentials.length - 1;
    w.note("advance(1 ms)");
    w.clock.advance(1);
    if (a.which === "grace") {
      const options = { graceMs: 3 };
      w.note(`rotate(cred#${cred}, { graceMs: 3 })`);
      const c = w.credentials[cred]!;
      await w.both(
        { op: "rotate", credential: c.model, options },
        (s) => s.rotate(c.real, options),
        r.store,
      );
    } else await validate(w, r, cred);
    const s = w.state.sessions.get(id.model);
    if (s === undefined) return;
    const at = a.which === "idle"
      ? s.idleExpiresAt
      : a.which === "absolute"
      ? s.absoluteExpiresAt
      : a.which === "grace"
      ? s.graceUntil
      : s.idleExpiresAt - s.idleTtlMs * (a.which === "slide-0.5" ? 0.5 : 0.25);
    if (a.which === "absolute") {
      // Keep it alive up to the absolute expiry: slide just before each idle expiry.
      while (w.state.sessions.get(id.model)!.idleExpiresAt < at && w.clock.now() < at - 1) {
        moveTo(w, Math.min(w.state.sessions.get(id.model)!.idleExpiresAt - 1, at - 1), "");
        await validate(w, r, cred);
      }
    }
    moveTo(w, Math.floor(at) + a.delta, ` to ${a.which} ${a.delta >= 0 ? "+" : ""}${a.delta}`);
    if (a.which === "grace") cred = Math.max(0, w.credentials.length - 2);
    if (a.read === "validate" || a.which === "grace" || a.which.startsWith("slide")) {
      await validate(
        w,
        r,
        cred,
        a.which.startsWith("slide") ? Number(a.which.slice(6)) : undefined,
      );
    } else if (a.read === "get") {
      w.note(`get(s#${w.sessions.indexOf(id)})`);
      await w.both({ op: "get", sessionId: id.model }, (st) => st.get(id.real), r.store);
    } else {
      w.note(`list(${JSON.stringify(owner)})`);
      await w.both({ op: "list", userId: owner }, (st) => st.list(owner), r.store);
    }
  },
);

/** A rotation chain around RETIRED_SECRETS_KEPT long, then one ancestor presented. */
const chainProbe = cmd(
  fc.record({
    length: fc.constantFrom(
      2,
      RETIRED_SECRETS_KEPT,
      RETIRED_SECRETS_KEPT + 1,
      RETIRED_SECRETS_KEPT + 2,
      RETIRED_SECRETS_KEPT + 3,
    ),
    depth: fc.constantFrom(
      1,
      2,
      RETIRED_SECRETS_KEPT,
      RETIRED_SECRETS_KEPT + 1,
      RETIRED_SECRETS_KEPT + 2,
    ),
    graceMs: fc.constantFrom(0, 1_000),
    present: fc.constantFrom("validate", "rotate"),
  }),
  (a) => `chain ${a.length}, ancestor ${a.depth}`,
  (a) => async (w, r, say) => {
    say(
      `rotation chain of ${a.length} (grace ${a.graceMs}), then ${a.present} the ancestor ${a.depth} back`,
    );
    await create(w, r, { userId: null, idleTtlMs: 60_000, absoluteTtlMs: 600_000 });
    const id = w.sessions.at(-1)!;
    for (let i = 0; i < a.length; i++) {
      const c = w.credentials.at(-1)!;
      const options = { graceMs: a.graceMs };
      w.note(`rotate(cred#${w.credentials.length - 1}, { graceMs: ${a.graceMs} })`);
      await w.both(
        { op: "rotate", credential: c.model, options },
        (s) => s.rotate(c.real, options),
        r.store,
      );
    }
    const members = family(w, id.real);
    const index = members[Math.max(0, members.length - 1 - a.depth)]!;
    const c = w.credentials[index]!;
    if (a.present === "validate") await validate(w, r, index);
    else {
      w.note(`rotate(cred#${index})`);
      await w.both({ op: "rotate", credential: c.model }, (s) => s.rotate(c.real), r.store);
    }
  },
);

/** Logins of one user over a small limit, after activity in an order unlike the login order. */
const evictionScenario = cmd(
  fc.record({
    userId: user,
    logins: fc.integer({ min: 2, max: 4 }),
    active: fc.array(fc.nat({ max: 3 }), { maxLength: 4 }),
    expire: fc.option(fc.nat({ max: 3 }), { nil: undefined }),
    limit: fc.constantFrom(1, 2, 3, 4, 6),
    onLimit: fc.constantFrom("evict-oldest" as const, "reject" as const),
    via: fc.constantFrom("create", "attach"),
    withData: fc.boolean(),
  }),
  (a) => `eviction scenario for user#${a.userId}`,
  (a) => async (w, r, say) => {
    const userId = userOf(w, a.userId);
    say(
      `eviction: ${a.logins} logins of ${JSON.stringify(userId)}, activity [${a.active}], ` +
        `${
          a.expire === undefined ? "none expired" : `#${a.expire} left to expire`
        }, then a ${a.via} with limit ${a.limit} (${a.onLimit})`,
    );
    const creds: number[] = [];
    for (let i = 0; i < a.logins; i++) {
      const ttl = i === a.expire
        ? { idleTtlMs: 5, absoluteTtlMs: 5 }
        : { idleTtlMs: 60_000, absoluteTtlMs: 600_000 };
      await create(w, r, { userId, ...ttl });
      creds.push(w.credentials.length - 1);
      w.clock.advance(1);
    }
    for (const i of a.active) {
      w.clock.advance(2);
      await validate(w, r, creds[i % creds.length]!);
    }
    w.clock.advance(10);
    const login = {
      userId,
      idleTtlMs: 60_000,
      absoluteTtlMs: 600_000,
      limit: a.limit,
      onLimit: a.onLimit,
    };
    if (a.via === "create") await create(w, r, login);
    else {
      await create(w, r, {
        userId: null,
        idleTtlMs: 60_000,
        absoluteTtlMs: 600_000,
        data: { cart: [1], theme: "dark" },
        device: { label: "anonymous visit", ip: "192.0.2.9" },
      });
      const c = w.credentials.at(-1)!;
      // With data and device, or without (then the anonymous session's are kept).
      const options = a.withData
        ? { ...login, data: { theme: "light" }, device: { label: "signed in" } }
        : login;
      w.note(`attach(cred#${w.credentials.length - 1}, ${JSON.stringify(options)})`);
      await w.both(
        { op: "attach", credential: c.model, options },
        (s) => s.attach(c.real, options),
        r.store,
      );
    }
    w.note(`list(${JSON.stringify(userId)})`);
    await w.both({ op: "list", userId }, (s) => s.list(userId), r.store);
  },
);

/**
 * Many records at once (sessions, token revocations, cutoffs), most of them short-lived: a store
 * that cleans up lazily or in bounded batches then holds expired-but-unswept records, whose
 * leftovers must not change any answer.
 */
const crowd = (tokenRevocation: boolean) =>
  cmd(
    fc.record({
      count: fc.integer({ min: 8, max: 24 }),
      tokens: tokenRevocation ? fc.boolean() : fc.constant(false),
    }),
    (a) => `crowd of ${a.count}`,
    (a) => async (w, r, say) => {
      say(
        `crowd: ${a.count} short-lived anonymous sessions${
          a.tokens ? ", revocations and cutoffs" : ""
        }`,
      );
      for (let i = 0; i < a.count; i++) {
        await create(w, r, { userId: null, idleTtlMs: 1 + (i % 5), absoluteTtlMs: 10 });
        if (!a.tokens) continue;
        const rev = { jti: `c${i}`, sessionId: "crowd", expiresAt: w.clock.now() + 1 + (i % 3) };
        w.note(`revokeToken(${JSON.stringify(rev)})`);
        await w.both({ op: "revokeToken", revocation: rev }, (s) => s.revokeToken(rev), r.store);
        const cut = { userId: `crowd${i}`, issuedBefore: w.clock.now(), until: w.clock.now() + 2 };
        w.note(`revokeTokens(${JSON.stringify(cut)})`);
        await w.both({ op: "revokeTokens", cutoff: cut }, (s) => s.revokeTokens(cut), r.store);
      }
    },
  );

/**
 * A session of one kind (anonymous or not) met by an operation that asks for a kind or binds the
 * request: a refused request must change nothing, so a read follows that would show a change.
 */
const kindScenario = cmd(
  fc.record({
    kind: fc.constantFrom<SessionKind>("cookie", "refresh"),
    anonymous: fc.boolean(),
    asked: fc.constantFrom<SessionKind | undefined>("cookie", "refresh", undefined),
    op: fc.constantFrom("validate", "rotate", "attach"),
    agent: fc.constantFrom<string | null | undefined>("Firefox/140", "curl/8", null, undefined),
    userId: user,
  }),
  (a) => `kind scenario: ${a.kind} session, ${a.op}`,
  (a) => async (w, r, say) => {
    say(
      `a ${a.anonymous ? "anonymous " : ""}${a.kind} session on Firefox/140, then ${a.op} ` +
        `asking for ${a.asked ?? "any kind"} with user agent ${
          String(a.agent)
        }, then get and validate`,
    );
    await create(w, r, {
      userId: a.anonymous ? null : userOf(w, a.userId),
      kind: a.kind,
      device: { userAgent: "Firefox/140" },
      idleTtlMs: 60_000,
      absoluteTtlMs: 600_000,
    });
    const index = w.credentials.length - 1;
    const c = w.credentials[index]!;
    const id = w.sessions.at(-1)!;
    const bind = a.agent === undefined ? undefined : { userAgent: a.agent };
    // Time passes first, so that a slide or a rotation the refusal should have prevented shows.
    moveTo(w, w.clock.now() + 1_000, "");
    if (a.op === "attach") {
      const options = { userId: userOf(w, a.userId), idleTtlMs: 60_000, absoluteTtlMs: 600_000 };
      w.note(`attach(cred#${index}, ${JSON.stringify(options)})`);
      await w.both(
        { op: "attach", credential: c.model, options },
        (s) => s.attach(c.real, options),
        r.store,
      );
    } else {
      const options = {
        ...(a.asked === undefined ? {} : { kind: a.asked }),
        ...(bind === undefined ? {} : { bind }),
      };
      w.note(`${a.op}(cred#${index}, ${JSON.stringify(options)})`);
      await w.both(
        { op: a.op, credential: c.model, options },
        (s) => a.op === "validate" ? s.validate(c.real, options) : s.rotate(c.real, options),
        r.store,
      );
    }
    // A read that changes nothing itself, then the credential once more.
    w.note("get(the session)");
    await w.both({ op: "get", sessionId: id.model }, (s) => s.get(id.real), r.store);
    await validate(w, r, index);
  },
);

/** The composite commands, with their weights. */
export function scenarioCommands(tokenRevocation: boolean): [fc.Arbitrary<Command>, number][] {
  return [
    [boundaryProbe, 3],
    [chainProbe, 2],
    [evictionScenario, 2],
    [kindScenario, 2],
    [crowd(tokenRevocation), 1],
    [nearMissProbe(tokenRevocation), 3],
    [thresholdProbe, 2],
    ...(tokenRevocation ? [[revocationHistory, 2] as [fc.Arbitrary<Command>, number]] : []),
  ];
}
