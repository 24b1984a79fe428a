// The invariants of DESIGN.md, checked as properties over the reference model itself.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { RETIRED_SECRETS_KEPT, tryParseCredential } from "../../src/stores/store.ts";
import {
  initialModelState,
  type ModelOperation,
  type ModelState,
  step,
} from "../../src/model/mod.ts";

const START = 1_000_000;
const LIMIT = 2;
const USERS = ["a", "b"];
const TTL = { idleTtlMs: 1_000, absoluteTtlMs: 3_000 };

type Action =
  | { kind: "create"; user: number | null }
  | { kind: "validate" | "rotate" | "attach"; cred: number; grace: number }
  | { kind: "destroy"; cred: number }
  | { kind: "destroyAll"; user: number }
  | { kind: "advance"; ms: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({
    kind: fc.constant("create" as const),
    user: fc.option(fc.nat({ max: 1 }), { nil: null }),
  }),
  fc.record({
    kind: fc.constantFrom("validate" as const, "rotate" as const, "attach" as const),
    cred: fc.nat(),
    grace: fc.constantFrom(0, 200),
  }),
  fc.record({ kind: fc.constant("destroy" as const), cred: fc.nat() }),
  fc.record({ kind: fc.constant("destroyAll" as const), user: fc.nat({ max: 1 }) }),
  fc.record({ kind: fc.constant("advance" as const), ms: fc.integer({ min: 0, max: 700 }) }),
);

interface Trace {
  state: ModelState;
  now: number;
  issued: string[];
  /** Credentials that must never validate again (grace aside): destroyed, evicted, rotated away. */
  dead: Map<string, { at: number; graceUntil: number }>;
}

function run(
  actions: Action[],
  onStep: (t: Trace, op: ModelOperation, result: unknown) => void,
): Trace {
  const t: Trace = { state: initialModelState(), now: START, issued: [], dead: new Map() };
  const killSession = (id: string, graceUntil = 0) => {
    for (const c of t.issued) {
      if (tryParseCredential(c)?.sessionId === id && !t.dead.has(c)) {
        t.dead.set(c, { at: t.now, graceUntil });
      }
    }
  };
  for (const a of actions) {
    if (a.kind === "advance") {
      t.now += a.ms;
      continue;
    }
    const cred = t.issued.length === 0
      ? "none"
      : t.issued[("cred" in a ? a.cred : 0) % t.issued.length]!;
    const op: ModelOperation = a.kind === "create"
      ? {
        op: "create",
        options: { userId: a.user === null ? null : USERS[a.user]!, ...TTL, limit: LIMIT },
      }
      : a.kind === "validate"
      ? { op: "validate", credential: cred }
      : a.kind === "rotate"
      ? { op: "rotate", credential: cred, options: { graceMs: a.grace } }
      : a.kind === "attach"
      ? { op: "attach", credential: cred, options: { userId: "a", ...TTL, limit: LIMIT } }
      : a.kind === "destroy"
      ? { op: "destroy", sessionId: tryParseCredential(cred)?.sessionId ?? "none" }
      : { op: "destroyAll", userId: USERS[(a as { user: number }).user]! };
    const next = step(t.state, op, t.now);
    const r = next.result as Record<string, unknown> | null;
    t.state = next.state;
    if (r && typeof r === "object" && !Array.isArray(r)) {
      if (typeof r.credential === "string") t.issued.push(r.credential);
      for (const e of (r.evicted as { id: string }[] | undefined) ?? []) killSession(e.id);
      if (r.status === "rotated") {
        t.dead.set(cred, {
          at: t.now,
          graceUntil: t.now + ((op as { options: { graceMs: number } }).options.graceMs),
        });
      }
      if (r.status === "reused") killSession(r.sessionId as string);
      if (r.status === "attached") killSession(r.replacedSessionId as string);
      if (op.op === "destroy" && "id" in r) killSession(r.id as string);
    }
    if (Array.isArray(r)) { for (const s of r as { id: string }[]) killSession(s.id); }
    onStep(t, op, next.result);
  }
  return t;
}

const live = (state: ModelState, now: number) =>
  [...state.sessions.values()].filter((s) => now < s.idleExpiresAt);

describe("reference model invariants", () => {
  it("1. a destroyed, evicted, expired or rotated-away credential never validates again (grace aside)", () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 60 }), (actions) => {
        run(actions, (t, op, result) => {
          if (op.op !== "validate") return;
          const status = (result as { status: string }).status;
          const dead = t.dead.get(op.credential);
          if (dead && status === "valid") {
            assert.ok(
              t.now < dead.graceUntil,
              "a dead credential validated outside its grace window",
            );
          }
        });
      }),
      { numRuns: 500 },
    );
  });

  it("2. a user never has more live sessions than the limit", () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 60 }), (actions) => {
        run(actions, (t) => {
          for (const user of USERS) {
            assert.ok(live(t.state, t.now).filter((s) => s.userId === user).length <= LIMIT);
          }
        });
      }),
      { numRuns: 500 },
    );
  });

  it("3. no sequence of validations keeps a session alive past its absolute lifetime", () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 80 }), (actions) => {
        run(actions, (t) => {
          for (const s of live(t.state, t.now)) {
            assert.ok(s.idleExpiresAt <= s.absoluteExpiresAt);
            assert.ok(t.now < s.absoluteExpiresAt);
          }
        });
      }),
      { numRuns: 500 },
    );
  });

  it("validating with a credential that was rotated away revokes the whole session", () => {
    let t = step(initialModelState(), { op: "create", options: { userId: "a", ...TTL } }, START);
    const first = (t.result as { credential: string }).credential;
    t = step(t.state, { op: "rotate", credential: first }, START + 1);
    const second = (t.result as { credential: string }).credential;
    const reuse = step(t.state, { op: "validate", credential: first }, START + 2);
    assert.equal((reuse.result as { status: string }).status, "reused");
    assert.equal(
      (step(reuse.state, { op: "validate", credential: second }, START + 3).result as {
        status: string;
      }).status,
      "invalid",
    );
  });

  it("only the last RETIRED_SECRETS_KEPT rotated-away secrets count as reuse", () => {
    let t = step(initialModelState(), { op: "create", options: { userId: null, ...TTL } }, START);
    const creds = [(t.result as { credential: string }).credential];
    for (let i = 0; i <= RETIRED_SECRETS_KEPT; i++) {
      t = step(t.state, { op: "rotate", credential: creds.at(-1)! }, START);
      creds.push((t.result as { credential: string }).credential);
    }
    const oldest = step(t.state, { op: "validate", credential: creds[0]! }, START);
    assert.equal((oldest.result as { status: string }).status, "invalid");
    const kept = step(t.state, { op: "validate", credential: creds[1]! }, START);
    assert.equal((kept.result as { status: string }).status, "reused");
  });

  it("the grace window admits only the immediate predecessor, strictly before its end", () => {
    let t = step(initialModelState(), { op: "create", options: { userId: null, ...TTL } }, START);
    const c0 = (t.result as { credential: string }).credential;
    t = step(t.state, { op: "rotate", credential: c0, options: { graceMs: 100 } }, START);
    const c1 = (t.result as { credential: string }).credential;
    const atEdge = step(t.state, { op: "validate", credential: c0 }, START + 99).result as {
      status: string;
      grace: boolean;
    };
    assert.deepEqual([atEdge.status, atEdge.grace], ["valid", true]);
    assert.equal(
      (step(t.state, { op: "validate", credential: c0 }, START + 100).result as { status: string })
        .status,
      "reused",
    );
    t = step(t.state, { op: "rotate", credential: c1, options: { graceMs: 100 } }, START + 10);
    assert.equal(
      (step(t.state, { op: "validate", credential: c0 }, START + 11).result as { status: string })
        .status,
      "reused",
    );
  });

  it("bad input throws a coded error and the state is untouched", () => {
    const state = initialModelState();
    const bad: ModelOperation[] = [
      { op: "create", options: { userId: "a", idleTtlMs: 0, absoluteTtlMs: 1 } },
      { op: "create", options: { userId: "a", idleTtlMs: 10, absoluteTtlMs: 5 } },
      { op: "create", options: { userId: "a", ...TTL, limit: 0 } },
      { op: "create", options: { userId: "a", ...TTL, data: { f: (() => 1) as never } } },
      { op: "update", sessionId: "x", data: { big: "x".repeat(9000) } },
      { op: "validate", credential: 5 as never },
    ];
    for (const op of bad) {
      assert.throws(
        () => step(state, op, START),
        (e: Error & { code?: string }) => typeof e.code === "string",
      );
    }
    assert.equal(state.sessions.size, 0);
  });
});

describe("the model: kinds and binding (a refused request changes nothing)", () => {
  const login = (kind: "cookie" | "refresh", userId: string | null = "a") => {
    const made = step(initialModelState(), {
      op: "create",
      options: { userId, kind, device: { userAgent: "UA", ip: "192.0.2.1" }, ...TTL },
    }, START);
    return { state: made.state, credential: (made.result as { credential: string }).credential };
  };

  it("a binding mismatch in validate answers binding-mismatch and leaves the state as it was", () => {
    const { state, credential } = login("cookie");
    for (const bind of [{ userAgent: "other" }, { userAgent: null }, { ip: "203.0.113.9" }]) {
      const r = step(state, { op: "validate", credential, options: { bind } }, START + 500);
      assert.equal((r.result as { status: string }).status, "binding-mismatch");
      assert.equal(r.state, state, "a refused validation changed the state");
    }
    const ok = step(state, {
      op: "validate",
      credential,
      options: { bind: { userAgent: "UA", ip: "192.0.2.1" } },
    }, START + 500);
    assert.equal((ok.result as { status: string }).status, "valid");
  });

  it("a binding mismatch in rotate answers binding-mismatch before any rotation", () => {
    const { state, credential } = login("refresh");
    const r = step(state, {
      op: "rotate",
      credential,
      options: { kind: "refresh", bind: { userAgent: "thief" } },
    }, START + 1);
    assert.equal((r.result as { status: string }).status, "binding-mismatch");
    assert.equal(r.state, state);
  });

  it("another kind is invalid, with no reuse verdict and no change", () => {
    const { state, credential } = login("cookie");
    const rotated = step(state, { op: "rotate", credential }, START + 1);
    for (const op of ["validate", "rotate"] as const) {
      const r = step(rotated.state, { op, credential, options: { kind: "refresh" } }, START + 2);
      assert.equal((r.result as { status: string }).status, "invalid", op);
      assert.equal(r.state, rotated.state, `${op} of another kind changed the state`);
    }
    const reuse = step(
      rotated.state,
      { op: "validate", credential, options: { kind: "cookie" } },
      START + 2,
    );
    assert.equal((reuse.result as { status: string }).status, "reused");
  });

  it("attach accepts only an anonymous cookie session", () => {
    const anon = login("refresh", null);
    const r = step(anon.state, {
      op: "attach",
      credential: anon.credential,
      options: { userId: "a", ...TTL },
    }, START + 1);
    assert.equal((r.result as { status: string }).status, "invalid");
    assert.equal(r.state, anon.state);
  });

  it("authenticatedAt: set by a login, moved only by a re-authenticating rotation", () => {
    type Answer = { status: string; session?: { authenticatedAt: number | null } };
    const at = (r: { result: unknown }) => (r.result as Answer).session?.authenticatedAt;
    const user = login("cookie");
    const plain = step(user.state, { op: "rotate", credential: user.credential }, START + 10);
    assert.equal(at(plain), START, "a plain rotation (regenerate) is not a re-authentication");
    const next = (plain.result as { credential: string }).credential;
    const up = step(plain.state, {
      op: "rotate",
      credential: next,
      options: { reauthenticate: true },
    }, START + 20);
    assert.equal(at(up), START + 20);
    const newest = (up.result as { credential: string }).credential;
    const slid = step(up.state, { op: "validate", credential: newest }, START + 30);
    assert.equal((slid.result as Answer).status, "valid");
    assert.equal(at(slid), START + 20, "a validation never moves it");
    const anon = login("cookie", null);
    assert.equal(
      at(step(anon.state, {
        op: "rotate",
        credential: anon.credential,
        options: { reauthenticate: true },
      }, START + 5)),
      null,
      "an anonymous session has nobody to re-authenticate",
    );
    const attached = step(anon.state, {
      op: "attach",
      credential: anon.credential,
      options: { userId: "a", ...TTL },
    }, START + 7);
    assert.equal(at(attached), START + 7);
    assert.throws(
      () =>
        step(user.state, {
          op: "rotate",
          credential: user.credential,
          options: { reauthenticate: 1 as never },
        }, START + 1),
      (e: unknown) =>
        e instanceof TypeError && (e as { code?: string }).code === "invalid-argument",
    );
  });
});
