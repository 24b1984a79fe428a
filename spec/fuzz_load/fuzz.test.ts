// The CI form of the fuzz run (`npm run fuzz` runs the same targets with a million inputs): every
// target on a small count with a fixed and a random seed, the prototypes untouched afterwards, and
// the Cookie header readers in linear time (1 MB against 100 KB of the same shape, as a ratio).

import { describe, it } from "node:test";
import process from "node:process";
import assert from "node:assert/strict";
import { getCookie, parseCookies } from "../../src/web/cookie.ts";
import { readCredential } from "../../src/web/http.ts";
import { fuzzTargets, LINEAR_SHAPES, prototypeFingerprint, sizeRatio } from "./_fuzz_targets.ts";

const TOTAL = Number(process.env.FUZZ_CI_INPUTS ?? 20_000);
const SEEDS = [20_261_202, Math.floor(Math.random() * 2 ** 31)];
// Linear time gives a ratio near 10; quadratic near 100. The bound leaves room for a noisy machine.
const MAX_RATIO = 40;

describe("fuzzing (CI form)", () => {
  const targets = fuzzTargets();
  for (const target of targets) {
    it(`${target.name}: no throw but documented coded errors, no prototype pollution`, async () => {
      const before = prototypeFingerprint();
      for (const seed of SEEDS) {
        try {
          await target.run(Math.max(50, Math.round((TOTAL * target.weight) / SEEDS.length)), seed);
        } catch (error) {
          throw new Error(`Fuzz failure with seed ${seed}: ${String(error)}`, { cause: error });
        }
      }
      assert.equal(prototypeFingerprint(), before);
      assert.equal(({} as Record<string, unknown>).polluted, undefined);
    });
  }

  const request = (h: string) => new Request("https://a.example/", { headers: { cookie: h } });
  const readers: Record<string, [(h: string) => unknown, (input: never) => unknown]> = {
    parseCookies: [(h) => h, (h: string) => parseCookies(h)],
    getCookie: [(h) => h, (h: string) => getCookie(h, "sid")],
    readCredential: [request, (r: Request) => readCredential(r, { cookieName: "sid" })],
  };
  for (const [reader, [prepare, body]] of Object.entries(readers)) {
    it(`${reader} reads a 1 MB header in time proportional to its size (ratio to 100 KB < ${MAX_RATIO})`, () => {
      for (const [shape, make] of Object.entries(LINEAR_SHAPES)) {
        const ratio = sizeRatio(make, prepare, body as (input: unknown) => unknown);
        assert.ok(ratio < MAX_RATIO, `${shape}: 1 MB took ${ratio.toFixed(1)}× the 100 KB time`);
      }
    });
  }
});
