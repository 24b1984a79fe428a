// A tiny shim so one bench file runs under `deno bench` (Deno.bench, with groups and baselines for
// ratios) and under plain Node (a timed loop printing ops/s). Never gates anything on time.

/** Options of {@linkcode bench}: Deno's `group` and `baseline`, for ratios in one run. */
export interface BenchOptions {
  readonly group?: string;
  readonly baseline?: boolean;
}

type BenchFn = () => unknown | Promise<unknown>;

interface DenoBench {
  bench(definition: { name: string; fn: BenchFn; group?: string; baseline?: boolean }): void;
}

const deno = (globalThis as { Deno?: DenoBench }).Deno;
const queue: { name: string; fn: BenchFn; options: BenchOptions }[] = [];
let scheduled = false;

async function runQueued(): Promise<void> {
  const results = new Map<string, { name: string; opsPerSecond: number; baseline: boolean }[]>();
  for (const { name, fn, options } of queue) {
    for (let i = 0; i < 200; i++) await fn(); // warm-up
    let iterations = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < 1000) {
      await fn();
      iterations++;
      elapsed = performance.now() - start;
    }
    const opsPerSecond = (iterations * 1000) / elapsed;
    const group = options.group ?? "";
    const list = results.get(group) ?? [];
    list.push({ name, opsPerSecond, baseline: options.baseline === true });
    results.set(group, list);
    console.log(`${name}: ${Math.round(opsPerSecond).toLocaleString("en")} ops/s`);
  }
  for (const [group, list] of results) {
    const base = list.find((r) => r.baseline);
    if (base === undefined || group === "") continue;
    for (const r of list) {
      if (r !== base) {
        console.log(
          `  [${group}] ${r.name}: ${
            (base.opsPerSecond / r.opsPerSecond).toFixed(2)
          }x the time of ${base.name}`,
        );
      }
    }
  }
}

/**
 * Registers a benchmark: `Deno.bench` under Deno, a timed loop (about 1 s each) under Node.
 *
 * @param name The benchmark's name.
 * @param fn The code to measure (may be async).
 * @param options Deno's `group` and `baseline`.
 */
export function bench(name: string, fn: BenchFn, options: BenchOptions = {}): void {
  if (deno !== undefined) {
    deno.bench({ name, fn, ...options });
    return;
  }
  queue.push({ name, fn, options });
  if (!scheduled) {
    scheduled = true;
    setTimeout(() => void runQueued(), 0);
  }
}
