// Private: the model-based commands of the conformance kit — one small generator per store
// operation (new options slot into its record), plus rotation chains, "advance the clock", "bad
// input" and "inspect everything" in a varied order.

import fc from "fast-check";
import { tryParseCredential } from "../core/credential.ts";
import { badCases } from "./_bad_input.ts";
import {
  bindArb,
  cmd,
  type Command,
  credRef,
  dataArb,
  device,
  family,
  kindArb,
  limitArb,
  omitUndefined,
  onLimit,
  type Real,
  resolveCred,
  resolveSession,
  sessionRef,
  showData,
  ttl,
  user,
  userOf,
} from "./_refs.ts";
import { scenarioCommands } from "./_scenarios.ts";
import { advanceCommand, tokenCommands } from "./_time_commands.ts";
import { Divergence, type World } from "./_world.ts";

export type { Real } from "./_refs.ts";

/** The reads an inspection makes, in a chosen order (a store that repairs on one read must not hide a defect from another). */
export type Read = "get" | "list" | "validate";
const READ_ORDERS: readonly (readonly Read[])[] = [
  ["get", "list"],
  ["list", "get"],
  ["validate", "get", "list"],
  ["list", "validate", "get"],
  ["get", "validate", "list"],
];

/** Checks everything observable: every known session, every user's list, and the dump. */
export async function inspect(
  world: World,
  real: Real,
  order: readonly Read[] = READ_ORDERS[0]!,
  reverse = false,
): Promise<void> {
  const sessions = reverse ? [...world.sessions].reverse() : [...world.sessions];
  const users = reverse ? [...world.users].reverse() : world.users;
  for (const read of order) {
    if (read === "get") {
      for (const pair of sessions) {
        world.note(`get(s#${world.sessions.indexOf(pair)})`);
        await world.both({ op: "get", sessionId: pair.model }, (s) => s.get(pair.real), real.store);
      }
    } else if (read === "list") {
      for (const userId of users) {
        world.note(`list(${userId})`);
        await world.both({ op: "list", userId }, (s) => s.list(userId), real.store);
      }
    } else {
      // The newest credential of every session: its current one, unless it was replaced.
      for (const pair of sessions) {
        const latest = family(world, pair.real).at(-1);
        if (latest === undefined) continue;
        const c = world.credentials[latest]!;
        world.note(`validate(cred#${latest})`);
        await world.both(
          { op: "validate", credential: c.model },
          (s) => s.validate(c.real),
          real.store,
        );
      }
    }
  }
  const changed = world.aliasing.checkHeld();
  if (changed !== null) throw new Divergence(changed);
  if (real.dump === undefined) return;
  const dump = await real.dump();
  for (const [i, pair] of world.credentials.entries()) {
    const secret = tryParseCredential(pair.real)?.secret;
    if (secret !== undefined && dump.includes(secret)) {
      throw new Divergence(`The store holds the secret of cred#${i} in clear (invariant 4)`);
    }
  }
}

/** Every command of a model-based run. */
export function commandArbitraries(
  maxDataBytes: number,
  tokenRevocation: boolean,
): fc.Arbitrary<fc.AsyncCommand<World, Real>>[] {
  const data = dataArb(maxDataBytes);
  const bad = badCases(maxDataBytes).filter((c) => tokenRevocation || !/revoke/.test(c.name));

  const create = cmd(
    fc.record({
      userId: fc.option(user, { freq: 4, nil: null }),
      kind: kindArb,
      data,
      device,
      ttl,
      limit: limitArb,
      onLimit,
    }),
    (a) => `create(${a.userId})`,
    (a) => async (w, r, say) => {
      const options = omitUndefined({
        userId: a.userId === null ? null : userOf(w, a.userId),
        kind: a.kind,
        data: a.data,
        device: a.device,
        ...a.ttl,
        limit: a.limit,
        onLimit: a.onLimit,
      });
      say(`create(${JSON.stringify({ ...options, data: showData(a.data) })})`);
      await w.both({ op: "create", options }, (s) => s.create(options), r.store);
    },
  );
  const validate = cmd(
    fc.record({
      ref: credRef,
      threshold: fc.option(fc.constantFrom(0.25, 0.5, 1), { nil: undefined }),
      kind: kindArb,
      bind: bindArb,
    }),
    () => "validate",
    (a) => async (w, r, say) => {
      const c = resolveCred(w, a.ref);
      const options = omitUndefined({ slideThreshold: a.threshold, kind: a.kind, bind: a.bind });
      say(`validate(${c.label}, ${JSON.stringify(options)})`);
      await w.both(
        { op: "validate", credential: c.model, options },
        (s) => s.validate(c.real, options),
        r.store,
      );
    },
  );
  const rotate = cmd(
    fc.record({
      ref: credRef,
      graceMs: fc.constantFrom(0, 0, 1, 500, 5_000),
      kind: kindArb,
      bind: bindArb,
      // Step-up: a re-authenticating rotation moves authenticatedAt; a plain one must not.
      reauthenticate: fc.constantFrom(undefined, undefined, false, true),
    }),
    () => "rotate",
    (a) => async (w, r, say) => {
      const c = resolveCred(w, a.ref);
      const options = omitUndefined({
        graceMs: a.graceMs,
        kind: a.kind,
        bind: a.bind,
        reauthenticate: a.reauthenticate,
      });
      say(`rotate(${c.label}, ${JSON.stringify(options)})`);
      await w.both(
        { op: "rotate", credential: c.model, options },
        (s) => s.rotate(c.real, options),
        r.store,
      );
    },
  );
  // A chain of rotations of one session, longer than the retired secrets a store keeps, so that
  // later commands present every ancestor (credRef "ancestor").
  const chain = cmd(
    fc.record({
      length: fc.integer({ min: 2, max: 12 }),
      gapMs: fc.constantFrom(0, 1, 100),
      graceMs: fc.constantFrom(0, 1_000),
    }),
    (a) => `rotation chain of ${a.length}`,
    (a) => async (w, r, say) => {
      say(
        `rotation chain: ${a.length} × (rotate newest, { graceMs: ${a.graceMs} }; advance ${a.gapMs} ms)`,
      );
      for (let i = 0; i < a.length && w.credentials.length > 0; i++) {
        const c = w.credentials.at(-1)!;
        const options = { graceMs: a.graceMs };
        w.note(`rotate(cred#${w.credentials.length - 1}, { graceMs: ${a.graceMs} })`);
        await w.both(
          { op: "rotate", credential: c.model, options },
          (s) => s.rotate(c.real, options),
          r.store,
        );
        if (a.gapMs > 0) w.note(`advance(${a.gapMs} ms)`);
        w.clock.advance(a.gapMs);
      }
    },
  );
  const attach = cmd(
    fc.record({
      ref: credRef,
      userId: user,
      kind: kindArb,
      data: fc.option(data, { nil: undefined }),
      device: fc.option(device, { nil: undefined }),
      ttl,
      limit: limitArb,
      onLimit,
    }),
    () => "attach",
    (a) => async (w, r, say) => {
      const c = resolveCred(w, a.ref);
      const options = omitUndefined({
        userId: userOf(w, a.userId),
        kind: a.kind,
        data: a.data,
        device: a.device,
        ...a.ttl,
        limit: a.limit,
        onLimit: a.onLimit,
      });
      say(
        `attach(${c.label}, ${JSON.stringify({ ...options, data: a.data && showData(a.data) })})`,
      );
      await w.both(
        { op: "attach", credential: c.model, options },
        (s) => s.attach(c.real, options),
        r.store,
      );
    },
  );
  const update = cmd(
    fc.record({
      ref: sessionRef,
      data,
      expected: fc.constantFrom("current", "stale", "ahead", "none"),
    }),
    () => "update",
    (a) => async (w, r, say) => {
      const p = resolveSession(w, a.ref);
      const version = w.state.sessions.get(p.model)?.version ?? 1;
      const expectedVersion = a.expected === "current"
        ? version
        : a.expected === "stale"
        ? Math.max(1, version - 1)
        : a.expected === "ahead"
        ? version + 1
        : undefined;
      const options = omitUndefined({ expectedVersion });
      say(`update(${p.label}, ${showData(a.data)}, ${JSON.stringify(options)})`);
      await w.both(
        { op: "update", sessionId: p.model, data: a.data, options },
        (s) => s.update(p.real, a.data, options),
        r.store,
      );
    },
  );
  const get = cmd(sessionRef, () => "get", (ref) => async (w, r, say) => {
    const p = resolveSession(w, ref);
    say(`get(${p.label})`);
    await w.both({ op: "get", sessionId: p.model }, (s) => s.get(p.real), r.store);
  });
  const destroy = cmd(sessionRef, () => "destroy", (ref) => async (w, r, say) => {
    const p = resolveSession(w, ref);
    say(`destroy(${p.label})`);
    await w.both({ op: "destroy", sessionId: p.model }, (s) => s.destroy(p.real), r.store);
  });
  const list = cmd(user, (u) => `list(user#${u})`, (ref) => async (w, r, say) => {
    const userId = userOf(w, ref);
    say(`list(${JSON.stringify(userId)})`);
    await w.both({ op: "list", userId }, (s) => s.list(userId), r.store);
  });
  const destroyAll = cmd(
    fc.record({
      userId: user,
      except: fc.option(sessionRef, { nil: undefined }),
      // Usually one of the user's own sessions: the case where "except" matters.
      own: fc.boolean(),
    }),
    () => "destroyAll",
    (a) => async (w, r, say) => {
      const userId = userOf(w, a.userId);
      const own = w.sessions.filter((p) => w.state.sessions.get(p.model)?.userId === userId);
      const p = a.except === undefined
        ? undefined
        : a.own && own.length > 0 && a.except !== null
        ? {
          ...own[a.except % own.length]!,
          label: `s#${w.sessions.indexOf(own[a.except % own.length]!)}`,
        }
        : resolveSession(w, a.except);
      say(`destroyAll(${JSON.stringify(userId)}${p ? `, except ${p.label}` : ""})`);
      await w.both(
        {
          op: "destroyAll",
          userId,
          options: omitUndefined({ exceptSessionId: p?.model }),
        },
        (s) => s.destroyAll(userId, omitUndefined({ exceptSessionId: p?.real })),
        r.store,
      );
    },
  );
  const badInput = cmd(
    fc.nat({ max: bad.length - 1 }),
    (i) => `bad input: ${bad[i]!.name}`,
    (i) => async (w, r) => {
      const { model, call } = bad[i]!.op(w);
      await w.both(model, call, r.store);
    },
  );
  const inspectCommand = cmd(
    fc.record({ order: fc.constantFrom(...READ_ORDERS), reverse: fc.boolean() }),
    (a) => `inspect(${a.order.join(", ")}${a.reverse ? ", newest first" : ""})`,
    (a) => async (w, r) => {
      await inspect(w, r, a.order, a.reverse);
    },
  );

  const weighted: [fc.Arbitrary<Command>, number][] = [
    [create, 5],
    [validate, 7],
    [rotate, 5],
    [chain, 1],
    [attach, 2],
    [update, 2],
    [get, 1],
    [destroy, 1],
    [list, 1],
    [destroyAll, 1],
    [advanceCommand, 6],
    [badInput, 1],
    [inspectCommand, 2],
  ];
  // Access-token revocation is the one optional feature a store may declare it lacks.
  if (tokenRevocation) { for (const c of tokenCommands) weighted.push([c, 2]); }
  weighted.push(...scenarioCommands(tokenRevocation));
  return weighted.flatMap(([c, n]) => Array.from({ length: n }, () => c));
}
