// Measures MemoryStore's memory per session (~200 bytes of data): heap growth over 50 000
// sessions, after garbage collection. Run: `deno run --v8-flags=--expose-gc bench/compare/memory_per_session.ts`
import { ManualClock, MemoryStore, seededRandom } from "../../mod.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error("Run with --v8-flags=--expose-gc");
const heap = () => {
  gc();
  gc();
  return Deno.memoryUsage().heapUsed;
};
const COUNT = 50_000;
const data = {
  role: "member",
  name: "Ada Lovelace",
  email: "ada@example.org",
  prefs: { theme: "dark", lang: "en-GB", tz: "Europe/London" },
  cart: [101, 202, 303],
  flags: ["beta", "newsletter"],
  csrf: "k3J9xQ2mP0vL8nR4tY6wZ1aB5cD7eF9g",
};
const bytes = JSON.stringify(data).length;
const store = new MemoryStore({ clock: new ManualClock(0), random: seededRandom(5) });
const kept: string[] = [];
const before = heap();
for (let i = 0; i < COUNT; i++) {
  const r = await store.create({
    userId: `user-${i % 10_000}`,
    data,
    device: { userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0", ip: "203.0.113.7" },
    idleTtlMs: 3_600_000,
    absoluteTtlMs: 86_400_000,
  });
  if (r.status === "created") kept.push(r.session.id);
}
const after = heap();
// Keep the store reachable past the measurement (V8 may collect a dead module binding).
if (store.size !== COUNT) throw new Error("Lost sessions");
const perSession = (after - before) / COUNT;
console.log(
  `MemoryStore: ${perSession.toFixed(0)} bytes per session for ${bytes} bytes of JSON data ` +
    `(${(perSession / bytes).toFixed(1)}x the payload), ${COUNT} sessions, ${kept.length} kept`,
);
