// Private: every argument limit of the contract, tried exhaustively (not sampled) at its largest
// accepted value and one past it, one bad argument per case. The model decides what each case
// must give, so a store that accepts one character too many, or refuses the maximum, diverges.

import type { ModelOperation } from "../model/model.ts";
import type { SessionStore } from "../model/store.ts";
import type { Real } from "./_refs.ts";
import { Divergence, UNKNOWN_ID, type World } from "./_world.ts";

type Case = {
  readonly name: string;
  readonly op: (w: World) => { model: ModelOperation; call: (s: SessionStore) => Promise<unknown> };
};

const TTL = { idleTtlMs: 1_000, absoluteTtlMs: 2_000 };
const s = (n: number, c = "a") => c.repeat(n);

/** Values around a limit of a string argument, and the wrong types. */
const stringLimits = (max: number): [string, unknown][] => [
  ["empty", ""],
  [`${max} chars`, s(max)],
  [`${max + 1} chars`, s(max + 1)],
  ["a number", 1],
  ["null", null],
];
/** Values around the lower limit of an integer argument, and the wrong types. */
const intLimits = (min: number): [string, unknown][] => [
  [`${min}`, min],
  [`${min - 1}`, min - 1],
  ["fractional", min + 0.5],
  ["2^53", 2 ** 53],
  ["NaN", NaN],
  ["Infinity", Infinity],
  ["a numeric string", String(min + 1)],
];
const sessionIds: [string, unknown][] = [
  ...stringLimits(64).filter(([name]) => name !== "64 chars"),
  ["64 chars", s(64, "Q")],
  ["with a dot", "a.b"],
  ["with a slash", "a/b"],
];

function nested(depth: number): Record<string, unknown> {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { d: value };
  return { d: value };
}

function dataLimits(maxDataBytes: number): [string, unknown][] {
  const ascii = (bytes: number) => ({ x: s(Math.max(0, bytes - 8)) }); // {"x":""} is 8 bytes
  const wide = (bytes: number) => {
    const room = Math.max(0, bytes - 8);
    return { x: s(Math.floor(room / 2), "é") + s(room % 2) };
  };
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  return [
    [`${maxDataBytes} bytes`, ascii(maxDataBytes)],
    [`${maxDataBytes + 1} bytes`, ascii(maxDataBytes + 1)],
    [`${maxDataBytes} bytes of 2-byte characters`, wide(maxDataBytes)],
    [`${maxDataBytes + 1} bytes of 2-byte characters`, wide(maxDataBytes + 1)],
    ...[30, 31, 32, 33, 34].map((d): [string, unknown] => [`nested ${d} deep`, nested(d)]),
    ["an array", [1]],
    ["null", null],
    ["NaN inside", { x: NaN }],
    ["-Infinity inside", { x: -Infinity }],
    ["a Date inside", { x: new Date(0) }],
    ["a Map inside", { x: new Map() }],
    ["undefined inside", { x: undefined }],
    ["a function inside", { x: () => 1 }],
    ["a cycle", cycle],
    ["a null-prototype object", Object.assign(Object.create(null) as object, { x: 1 })],
  ];
}

function optionCases(maxDataBytes: number, attach: boolean): [string, Record<string, unknown>][] {
  const base = { userId: "u3", ...TTL };
  const out: [string, Record<string, unknown>][] = [];
  const one = (field: string, values: [string, unknown][]) => {
    for (const [name, value] of values) out.push([`${field} ${name}`, { ...base, [field]: value }]);
  };
  one("userId", [...stringLimits(256), ["undefined", undefined]]);
  one("data", dataLimits(maxDataBytes));
  one("idleTtlMs", intLimits(1));
  one("absoluteTtlMs", [
    ...intLimits(1),
    ["equal to idle", TTL.idleTtlMs],
    ["idle - 1", TTL.idleTtlMs - 1],
  ]);
  one("limit", [...intLimits(1), ["undefined", undefined]]);
  one("onLimit", [["evict-oldest", "evict-oldest"], ["reject", "reject"], ["lru", "lru"], [
    "empty",
    "",
  ], ["null", null]]);
  one("device", [["a string", "x"], ["an array", []], ["null", null], ["empty", {}], [
    "an unknown field",
    { os: "x" },
  ]]);
  for (const key of ["userAgent", "ip", "label"]) {
    for (
      const [name, value] of [["512 chars", s(512)], ["513 chars", s(513)], ["a number", 1], [
        "empty",
        "",
      ]] as [string, unknown][]
    ) {
      out.push([`device.${key} ${name}`, { ...base, device: { [key]: value } }]);
    }
  }
  if (!attach) out.push(["userId null (anonymous)", { ...base, userId: null }]);
  return out;
}

export function argumentCases(maxDataBytes: number, tokenRevocation: boolean): Case[] {
  const cases: Case[] = [];
  const add = (name: string, op: Case["op"]) => cases.push({ name, op });
  const cred = (w: World) => w.credentials.at(-1) ?? { real: "x.y", model: "x.y" };
  const sid = (w: World) => w.sessions.at(-1) ?? { real: UNKNOWN_ID, model: UNKNOWN_ID };
  const whole: [string, unknown][] = [["null", null], ["an array", []], ["a string", "x"]];

  for (const [name, options] of [...whole, ...optionCases(maxDataBytes, false)]) {
    add(`create: options ${name}`, () => ({
      model: { op: "create", options: options as never },
      call: (st) => st.create(options as never),
    }));
  }
  // attach onto a fresh anonymous session each time (so a valid case really attaches).
  for (
    const [name, options] of [...whole, ...optionCases(maxDataBytes, true), [
      "userId null",
      { userId: null, ...TTL },
    ] as [string, unknown]]
  ) {
    add(`attach: options ${name}`, (w) => ({
      model: { op: "attach", credential: cred(w).model, options: options as never },
      call: (st) => st.attach(cred(w).real, options as never),
    }));
  }
  for (const [name, credential] of [["a number", 42], ["null", null], ["undefined", undefined]]) {
    add(`validate: credential ${name}`, () => ({
      model: { op: "validate", credential: credential as never },
      call: (st) => st.validate(credential as never),
    }));
    add(`rotate: credential ${name}`, () => ({
      model: { op: "rotate", credential: credential as never },
      call: (st) => st.rotate(credential as never),
    }));
    add(`attach: credential ${name}`, () => ({
      model: { op: "attach", credential: credential as never, options: { userId: "u3", ...TTL } },
      call: (st) => st.attach(credential as never, { userId: "u3", ...TTL }),
    }));
  }
  for (
    const [name, value] of [
      ["1", 1],
      ["1 + ε", 1 + 2 ** -52],
      ["the smallest positive number", Number.MIN_VALUE],
      ["0", 0],
      ["-0.5", -0.5],
      ["NaN", NaN],
      ["a string", "0.5"],
    ] as [string, unknown][]
  ) {
    add(`validate: slideThreshold ${name}`, (w) => ({
      model: {
        op: "validate",
        credential: cred(w).model,
        options: { slideThreshold: value as number },
      },
      call: (st) => st.validate(cred(w).real, { slideThreshold: value as number }),
    }));
  }
  for (const [name, value] of intLimits(0)) {
    add(`rotate: graceMs ${name}`, (w) => ({
      model: { op: "rotate", credential: cred(w).model, options: { graceMs: value as number } },
      call: (st) => st.rotate(cred(w).real, { graceMs: value as number }),
    }));
  }
  for (const [name, id] of sessionIds) {
    add(`update: sessionId ${name}`, () => ({
      model: { op: "update", sessionId: id as string, data: {} },
      call: (st) => st.update(id as string, {}),
    }));
    add(`get: sessionId ${name}`, () => ({
      model: { op: "get", sessionId: id as string },
      call: (st) => st.get(id as string),
    }));
    add(`destroy: sessionId ${name}`, () => ({
      model: { op: "destroy", sessionId: id as string },
      call: (st) => st.destroy(id as string),
    }));
    add(`destroyAll: exceptSessionId ${name}`, () => ({
      model: { op: "destroyAll", userId: "u3", options: { exceptSessionId: id as string } },
      call: (st) => st.destroyAll("u3", { exceptSessionId: id as string }),
    }));
  }
  for (const [name, data] of dataLimits(maxDataBytes)) {
    add(`update: data ${name}`, (w) => ({
      model: { op: "update", sessionId: sid(w).model, data: data as never },
      call: (st) => st.update(sid(w).real, data as never),
    }));
  }
  for (const [name, value] of intLimits(1)) {
    add(`update: expectedVersion ${name}`, (w) => ({
      model: {
        op: "update",
        sessionId: sid(w).model,
        data: {},
        options: { expectedVersion: value as number },
      },
      call: (st) => st.update(sid(w).real, {}, { expectedVersion: value as number }),
    }));
  }
  for (const [name, userId] of stringLimits(256)) {
    add(`list: userId ${name}`, () => ({
      model: { op: "list", userId: userId as string },
      call: (st) => st.list(userId as string),
    }));
    add(`destroyAll: userId ${name}`, () => ({
      model: { op: "destroyAll", userId: userId as string },
      call: (st) => st.destroyAll(userId as string),
    }));
  }
  if (tokenRevocation) cases.push(...tokenCases());
  return cases;
}

function tokenCases(): Case[] {
  const cases: Case[] = [];
  const one = <K extends "revokeToken" | "revokeTokens" | "isTokenRevoked">(
    op: K,
    base: Record<string, unknown>,
    field: string,
    values: [string, unknown][],
  ) => {
    for (const [name, value] of values) {
      const arg = field === "" ? value : { ...base, [field]: value };
      const key = op === "revokeToken" ? "revocation" : op === "revokeTokens" ? "cutoff" : "token";
      cases.push({
        name: `${op}: ${field || "argument"} ${name}`,
        op: () => ({
          model: { op, [key]: arg } as unknown as ModelOperation,
          call: (st) => (st[op] as (a: unknown) => Promise<unknown>).call(st, arg),
        }),
      });
    }
  };
  const whole: [string, unknown][] = [["null", null], ["an array", []], ["a string", "x"]];
  const revocation = { jti: "j9", sessionId: UNKNOWN_ID, expiresAt: 5 };
  one("revokeToken", revocation, "", whole);
  one("revokeToken", revocation, "jti", stringLimits(256));
  one("revokeToken", revocation, "sessionId", sessionIds);
  one("revokeToken", revocation, "expiresAt", intLimits(0));
  const cutoff = { userId: "u9", issuedBefore: 1, until: 2 };
  one("revokeTokens", cutoff, "", [
    ...whole,
    ["with both a user and a session", { ...cutoff, sessionId: UNKNOWN_ID }],
    ["with neither a user nor a session", { issuedBefore: 1, until: 2 }],
  ]);
  one("revokeTokens", cutoff, "userId", stringLimits(256));
  one(
    "revokeTokens",
    { sessionId: UNKNOWN_ID, issuedBefore: 1, until: 2 },
    "sessionId",
    sessionIds,
  );
  one("revokeTokens", cutoff, "issuedBefore", intLimits(0));
  one("revokeTokens", cutoff, "until", intLimits(0));
  const token = { jti: "j9", sessionId: UNKNOWN_ID, userId: "u9", issuedAt: 1 };
  one("isTokenRevoked", token, "", whole);
  one("isTokenRevoked", token, "jti", stringLimits(256));
  one("isTokenRevoked", token, "sessionId", sessionIds);
  one("isTokenRevoked", token, "userId", stringLimits(256));
  one("isTokenRevoked", token, "issuedAt", intLimits(0));
  return cases;
}

/**
 * Runs every argument case on one store, in order. Before each attach, validate and rotate case
 * a fresh anonymous session is created (1 ms earlier), so a case the model accepts really
 * attaches and a refused one that touched the session shows in the read-back.
 */
export async function checkArgumentLimits(
  world: World,
  real: Real,
  maxDataBytes: number,
  tokenRevocation: boolean,
): Promise<void> {
  const anon = { userId: null, ...TTL };
  for (const c of argumentCases(maxDataBytes, tokenRevocation)) {
    if (
      c.name.startsWith("attach: options") || c.name.startsWith("validate") ||
      c.name.startsWith("rotate")
    ) {
      await world.both({ op: "create", options: anon }, (st) => st.create(anon), real.store);
      // A moment later, so that a refused call that touched the session shows (_inert.ts).
      world.clock.advance(1);
    }
    const { model, call } = c.op(world);
    world.note(c.name);
    try {
      await world.both(model, call, real.store);
    } catch (error) {
      if (error instanceof Divergence) {
        throw new Divergence(`argument limits, ${c.name}: ${error.message}`);
      }
      throw error;
    }
  }
}
