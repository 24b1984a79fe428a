// MemoryStore's hot path against the plain-Map floor: validating a credential is a Map lookup,
// one SHA-256 and a constant-time compare. `deno bench --allow-all bench/memory_store.bench.ts`
import { ManualClock, MemoryStore, seededRandom } from "../mod.ts";
import { bench } from "./_bench.ts";

const clock = new ManualClock(1_000_000);
const store = new MemoryStore({ clock, random: seededRandom(1) });
const data = {
  role: "admin",
  name: "Ada Lovelace",
  prefs: { theme: "dark", lang: "en-GB" },
  cart: [1, 2, 3],
};
const credentials: string[] = [];
for (let i = 0; i < 10_000; i++) {
  const r = await store.create({
    userId: `u${i % 3_000}`,
    data,
    idleTtlMs: 3_600_000,
    absoluteTtlMs: 86_400_000,
  });
  if (r.status === "created") credentials.push(r.credential);
}
const plain = new Map(credentials.map((c) => [c, JSON.stringify(data)]));
let i = 0;
const group = "validate one of 10,000 sessions in memory";

bench(
  "plain Map.get + JSON.parse (lower bound)",
  () => JSON.parse(plain.get(credentials[i++ % credentials.length]!)!),
  {
    group,
    baseline: true,
  },
);
bench(
  "sessionkit MemoryStore.validate (extends the idle expiry every time)",
  () => store.validate(credentials[i++ % credentials.length]!),
  { group },
);
bench(
  "sessionkit MemoryStore.validate (extends it once half the idle time is used)",
  () => store.validate(credentials[i++ % credentials.length]!, { slideThreshold: 0.5 }),
  { group },
);
