// Private: the bad-input cases of the conformance kit. Each is the same invalid call on the model
// and on the store: both must refuse it with the same error class and code, changing nothing.

import type { ModelOperation } from "../model/model.ts";
import type { SessionStore } from "../model/store.ts";
import { UNKNOWN_ID, type World } from "./_world.ts";

/** A bad-input case: the same invalid call on the model and on the store. */
export interface BadCase {
  readonly name: string;
  readonly op: (
    world: World,
  ) => { model: ModelOperation; call: (s: SessionStore) => Promise<unknown> };
}

const t = { idleTtlMs: 1_000, absoluteTtlMs: 2_000 };
const createCase = (name: string, options: Record<string, unknown>): BadCase => ({
  name,
  op: () => ({
    model: { op: "create", options: options as never },
    call: (s) => s.create(options as never),
  }),
});

export function badCases(maxDataBytes: number): BadCase[] {
  const cred = (w: World) => w.credentials.at(-1) ?? { real: 7 as never, model: 7 as never };
  const sid = (w: World) => w.sessions.at(-1) ?? { real: UNKNOWN_ID, model: UNKNOWN_ID };
  return [
    createCase("create with idleTtlMs 0", { userId: "u1", idleTtlMs: 0, absoluteTtlMs: 5 }),
    createCase("create with a fractional TTL", { userId: "u1", idleTtlMs: 1.5, absoluteTtlMs: 5 }),
    createCase("create with absolute < idle", { userId: "u1", idleTtlMs: 10, absoluteTtlMs: 5 }),
    createCase("create with limit 0", { userId: "u1", ...t, limit: 0 }),
    createCase("create with an unknown policy", { userId: "u1", ...t, limit: 1, onLimit: "lru" }),
    createCase("create with an empty userId", { userId: "", ...t }),
    createCase("create with data that is an array", { userId: "u1", ...t, data: [1] }),
    createCase("create with NaN in data", { userId: "u1", ...t, data: { x: NaN } }),
    createCase("create with a Date in data", { userId: "u1", ...t, data: { at: new Date(0) } }),
    createCase("create with data over the limit", {
      userId: "u1",
      ...t,
      data: { big: "x".repeat(maxDataBytes) },
    }),
    {
      name: "validate a non-string credential",
      op: () => ({
        model: { op: "validate", credential: 42 as never },
        call: (s) => s.validate(42 as never),
      }),
    },
    {
      name: "validate with slideThreshold 0",
      op: (w) => ({
        model: { op: "validate", credential: cred(w).model, options: { slideThreshold: 0 } },
        call: (s) => s.validate(cred(w).real, { slideThreshold: 0 }),
      }),
    },
    {
      name: "validate asking for an unknown kind",
      op: (w) => ({
        model: { op: "validate", credential: cred(w).model, options: { kind: "bearer" as never } },
        call: (s) => s.validate(cred(w).real, { kind: "bearer" as never }),
      }),
    },
    {
      name: "rotate binding a number as the user agent",
      op: (w) => {
        const options = { bind: { userAgent: 7 as never } };
        return {
          model: { op: "rotate", credential: cred(w).model, options },
          call: (s) => s.rotate(cred(w).real, options),
        };
      },
    },
    {
      name: "create with an unknown kind",
      op: () => {
        const options = { userId: "u1", ...t, kind: "token" as never };
        return { model: { op: "create", options }, call: (s) => s.create(options) };
      },
    },
    {
      name: "rotate re-authenticating with a string",
      op: (w) => {
        const options = { reauthenticate: "yes" as never };
        return {
          model: { op: "rotate", credential: cred(w).model, options },
          call: (s) => s.rotate(cred(w).real, options),
        };
      },
    },
    {
      name: "rotate with a negative grace",
      op: (w) => ({
        model: { op: "rotate", credential: cred(w).model, options: { graceMs: -1 } },
        call: (s) => s.rotate(cred(w).real, { graceMs: -1 }),
      }),
    },
    {
      name: "attach with absolute < idle",
      op: (w) => {
        const options = { userId: "u1", idleTtlMs: 10, absoluteTtlMs: 5 };
        return {
          model: { op: "attach", credential: cred(w).model, options },
          call: (s) => s.attach(cred(w).real, options),
        };
      },
    },
    {
      name: "update with expectedVersion 0",
      op: (w) => ({
        model: { op: "update", sessionId: sid(w).model, data: {}, options: { expectedVersion: 0 } },
        call: (s) => s.update(sid(w).real, {}, { expectedVersion: 0 }),
      }),
    },
    {
      name: "update with oversized data",
      op: (w) => {
        const data = { big: "x".repeat(maxDataBytes) };
        return {
          model: { op: "update", sessionId: sid(w).model, data },
          call: (s) => s.update(sid(w).real, data),
        };
      },
    },
    {
      name: "get a malformed session id",
      op: () => ({ model: { op: "get", sessionId: "no/such" }, call: (s) => s.get("no/such") }),
    },
    {
      name: "list an empty userId",
      op: () => ({ model: { op: "list", userId: "" }, call: (s) => s.list("") }),
    },
    {
      name: "revoke an empty jti",
      op: (w) => {
        const revocation = { jti: "", sessionId: sid(w).real, expiresAt: 1 };
        return {
          model: { op: "revokeToken", revocation: { ...revocation, sessionId: sid(w).model } },
          call: (s) => s.revokeToken(revocation),
        };
      },
    },
    {
      name: "revoke tokens of both a user and a session",
      op: (w) => ({
        model: {
          op: "revokeTokens",
          cutoff: { userId: "u1", sessionId: sid(w).model, issuedBefore: 1, until: 2 } as never,
        },
        call: (s) =>
          s.revokeTokens(
            { userId: "u1", sessionId: sid(w).real, issuedBefore: 1, until: 2 } as never,
          ),
      }),
    },
  ];
}
