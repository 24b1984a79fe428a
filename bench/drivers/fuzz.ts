// The full fuzz run (`npm run fuzz`): every target of spec/fuzz_load/_fuzz_targets.ts with its share of
// FUZZ_INPUTS (default 1,000,000) inputs, FUZZ_SEED (default random, printed), then the
// linear-time ratios of the Cookie header readers. Exits non-zero on any failure.
//
//   npm run fuzz                       # a million inputs
//   FUZZ_INPUTS=5000000 FUZZ_SEED=42 npm run fuzz

import process from "node:process";
import { getCookie, parseCookies } from "../../src/web/cookie.ts";
import { readCredential } from "../../src/web/http.ts";
import {
  fuzzTargets,
  LINEAR_SHAPES,
  prototypeFingerprint,
  sizeRatio,
} from "../../spec/fuzz_load/_fuzz_targets.ts";

const total = Number(process.env.FUZZ_INPUTS ?? 1_000_000);
const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
console.log(`fuzz: ${total.toLocaleString("en")} inputs, seed ${seed}`);

const before = prototypeFingerprint();
let failed = false;
let done = 0;
const started = performance.now();
for (const target of fuzzTargets()) {
  const runs = Math.round(total * target.weight);
  const t0 = performance.now();
  try {
    await target.run(runs, seed);
    const seconds = (performance.now() - t0) / 1000;
    console.log(
      `  ok   ${runs.toLocaleString("en").padStart(9)}  ${seconds.toFixed(1)} s  ${target.name}`,
    );
  } catch (error) {
    failed = true;
    console.log(
      `  FAIL ${runs.toLocaleString("en").padStart(9)}  ${target.name}\n${String(error)}`,
    );
  }
  done += runs;
}
if (prototypeFingerprint() !== before) {
  failed = true;
  console.log("  FAIL a shared prototype gained or lost properties during the run");
}
console.log(
  `fuzz: ${done.toLocaleString("en")} inputs in ${
    ((performance.now() - started) / 1000).toFixed(1)
  } s`,
);

const request = (h: string) => new Request("https://a.example/", { headers: { cookie: h } });
console.log("linear time: time(1 MB) / time(100 KB), same shape (linear ≈ 10, quadratic ≈ 100)");
const readers: [string, (h: string) => unknown, (input: never) => unknown][] = [
  ["parseCookies", (h) => h, (h: string) => parseCookies(h)],
  ["getCookie", (h) => h, (h: string) => getCookie(h, "sid")],
  ["readCredential", request, (r: Request) => readCredential(r, { cookieName: "sid" })],
];
for (const [name, prepare, body] of readers) {
  const ratios = Object.entries(LINEAR_SHAPES).map(([shape, make]) => {
    const ratio = sizeRatio(make, prepare, body as (input: unknown) => unknown);
    if (ratio >= 40) failed = true;
    return `${shape} ${ratio.toFixed(1)}`;
  });
  console.log(`  ${name}: ${ratios.join(", ")}`);
}
if (failed) process.exit(1);
