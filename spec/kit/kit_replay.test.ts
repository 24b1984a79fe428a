// A ConformanceError tells the truth: the steps it prints (with their clock offsets) are those of
// the failing run, so replaying them BY HAND — no kit, just the printed calls on a fresh store —
// makes the broken store and the reference answer differently.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { ManualClock } from "../../src/core/clock.ts";
import { seededRandom } from "../../src/core/random.ts";
import { ReferenceStore } from "../../src/model/reference_store.ts";
import { MemoryStore } from "../../src/stores/memory_store.ts";
import type { SessionStore } from "../../src/model/store.ts";
import { ConformanceError, verifyStore } from "../../src/testing/mod.ts";
import { allBrokenStores } from "./_all_broken_stores.ts";
import { FIXED_SEED } from "../_support/_budget.ts";

const START = 1_800_000_000_000;

/** Runs the printed steps on a store; returns what each answered (ids and secrets abstracted). */
async function replayByHand(
  steps: readonly string[],
  make: (clock: ManualClock) => SessionStore,
): Promise<string[]> {
  const clock = new ManualClock(START);
  const store = make(clock);
  const creds: string[] = [];
  const ids: string[] = [];
  const answers: string[] = [];
  const cred = (ref: string) => creds[Number(ref.slice(5))] ?? "unknown.credential";
  const sid = (ref: string) => ids[Number(ref.slice(2))] ?? "unknownSessionId";
  const abstract = (value: unknown): string =>
    JSON.stringify(value, (key, v) => {
      if (typeof v === "string" && ["id", "sessionId", "replacedSessionId"].includes(key)) {
        if (!ids.includes(v)) ids.push(v);
        return `s#${ids.indexOf(v)}`;
      }
      if (key === "credential" && typeof v === "string") {
        creds.push(v);
        return `cred#${creds.length - 1}`;
      }
      return v;
    });
  for (const line of steps) {
    const m = /^\[t\+(\d+)\] (\w+)\((.*)\)$/.exec(line);
    if (m === null) continue; // a scenario's summary line: its calls follow one by one
    const [, offset, op, args] = m as unknown as [string, string, string, string];
    clock.set(START + Number(offset));
    const ref = /^(cred#\d+|s#\d+)/.exec(args)?.[1] ?? "";
    const json = (text: string) => {
      const value = JSON.parse(text) as Record<string, unknown>;
      if (typeof value.data === "string") value.data = JSON.parse(value.data);
      if (value.data === undefined) delete value.data;
      return value;
    };
    const rest = args.slice(ref.length).replace(/^, /, "");
    let answer: unknown;
    if (op === "create") answer = await store.create(json(args) as never);
    else if (op === "validate") {
      answer = await store.validate(cred(ref), rest === "" ? undefined : json(rest));
    } else if (op === "rotate") {
      const grace = /graceMs: (\d+)/.exec(rest)?.[1];
      answer = await store.rotate(cred(ref), grace === undefined ? undefined : { graceMs: +grace });
    } else if (op === "attach") answer = await store.attach(cred(ref), json(rest) as never);
    else if (op === "get") answer = await store.get(sid(ref));
    else if (op === "destroy") answer = await store.destroy(sid(ref));
    else if (op === "list") answer = await store.list(args);
    else continue;
    answers.push(`${line} → ${abstract(answer)}`);
  }
  return answers;
}

describe("a ConformanceError's printed steps", () => {
  for (
    const defect of [
      "accepts a rotated-away credential",
      "keeps a session alive at its idle expiry instant (<= instead of <)",
      "remembers one rotated-away secret too many",
    ]
  ) {
    it(`replayed by hand, reproduce the failure of a store that ${defect}`, async () => {
      const make = allBrokenStores[defect]!;
      const error = await verifyStore((ctx) => ({ store: make(ctx) }), {
        seed: FIXED_SEED,
        raceRuns: 0,
      }).then(() => null, (e: unknown) => e);
      assert.ok(error instanceof ConformanceError);
      const steps = error.message.split("\n").map((l) => l.trim()).filter((l) =>
        l.startsWith("[t+")
      );
      assert.ok(steps.length > 0, "no steps printed");
      const random = () => seededRandom(1);
      const broken = await replayByHand(steps, (clock) => make({ clock, random: random() }));
      const reference = await replayByHand(steps, (clock) => new ReferenceStore({ clock }));
      assert.notDeepEqual(broken, reference, "the printed steps did not reproduce the failure");
      // The same replay on a conforming store agrees with the reference: the difference is the defect.
      const sound = await replayByHand(
        steps,
        (clock) => new MemoryStore({ clock, random: random() }),
      );
      assert.deepEqual(sound, reference);
    });
  }
});
