// Measures the conformance kit's power: for every deliberately broken store, over N random seeds
// at a budget (default "default"), how often verifyStore rejects it; plus the cost of a passing
// default run on MemoryStore and on the reference store, as a ratio. Not part of `npm test`.
//
//   npx deno run -A scripts/kit_power.ts [--seeds 100] [--budget default] [--only substring]
//     [--family existing|blind|all] [--shard k/n] [--base seed]
//
// `--family existing` (the default) is the stores of docs/kit-power.md; `blind` the family written
// from the contract alone (spec/kit/_blind_broken_stores.ts, docs/lab/kit-power-blind.md). `--shard k/n`
// measures every n-th store from the k-th (1-based), to split a run across processes; `--base`
// fixes the first seed so that shards share their seeds. `--only a|b` takes several substrings.
//
// Prints a Markdown table (docs/kit-power.md holds the last one written down).
import { MemoryStore } from "../src/stores/memory_store.ts";
import { ReferenceStore } from "../src/model/reference_store.ts";
import { type VerifyBudget, verifyStore } from "../src/testing/mod.ts";
import { allBrokenStores } from "../spec/kit/_all_broken_stores.ts";
import { blindBrokenStores } from "../spec/kit/_blind_broken_stores.ts";
import type { Clock, RandomSource, SessionStore } from "../src/stores/store.ts";

const arg = (name: string, fallback: string): string => {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 && Deno.args[i + 1] !== undefined ? Deno.args[i + 1]! : fallback;
};
const seedsCount = Number(arg("seeds", "100"));
const budget = arg("budget", "default") as VerifyBudget;
const only = arg("only", "");
const family = arg("family", "existing");
const [shardIndex, shardCount] = arg("shard", "1/1").split("/").map(Number) as [number, number];
type Factory = (ctx: { clock: Clock; random: RandomSource }) => SessionStore & { dump(): string };
const families: Record<string, Readonly<Record<string, Factory>>> = {
  existing: allBrokenStores,
  blind: blindBrokenStores,
  all: { ...allBrokenStores, ...blindBrokenStores },
};
const stores = families[family];
if (stores === undefined) throw new TypeError(`Unknown family ${family}: existing, blind or all`);
const base = Number(
  arg("base", String(crypto.getRandomValues(new Uint32Array(1))[0]! & 0x7fffffff)),
);
const seeds = Array.from({ length: seedsCount }, (_, i) => (base + i * 7919) & 0x7fffffff);

const timed = async (run: () => Promise<unknown>): Promise<number> => {
  const t0 = performance.now();
  await run();
  return performance.now() - t0;
};
const memory = await timed(() =>
  verifyStore(({ clock, random }) => ({ store: new MemoryStore({ clock, random }) }), {
    budget,
    seed: seeds[0]!,
  })
);
const reference = await timed(() =>
  verifyStore(({ clock }) => ({ store: new ReferenceStore({ clock }) }), {
    budget,
    seed: seeds[0]!,
  })
);
console.log(
  `family ${family}, shard ${shardIndex}/${shardCount}, budget ${budget}, ${seedsCount} seeds from ${base}`,
);
console.log(
  `passing run: MemoryStore ${(memory / 1000).toFixed(1)} s, ReferenceStore ${
    (reference / 1000).toFixed(1)
  } s (ratio ${(memory / reference).toFixed(2)})\n`,
);
console.log("| defect | rejected | mean ms to verdict |\n| --- | --- | --- |");
for (const [i, [defect, make]] of Object.entries(stores).entries()) {
  if (only !== "" && !only.split("|").some((part) => defect.includes(part))) continue;
  if (i % shardCount !== shardIndex - 1) continue;
  let rejected = 0;
  let total = 0;
  for (const seed of seeds) {
    total += await timed(async () => {
      const failed = await verifyStore((ctx) => {
        const store = make(ctx);
        return { store, dump: () => store.dump() };
      }, { budget, seed, shrink: false }).then(() => false, () => true);
      if (failed) rejected++;
    });
  }
  const pct = (100 * rejected / seeds.length).toFixed(0);
  console.log(
    `| ${defect} | ${rejected}/${seeds.length} (${pct} %) | ${(total / seeds.length).toFixed(0)} |`,
  );
}
