// Budgets and seeds for property runs. CI runs a fixed seed and a random one, with thousands of
// runs (SESSIONKIT_RUNS); a developer's default is quicker. A failure prints its seed.
const env = (name: string): string | undefined =>
  (globalThis as { process?: { env: Record<string, string | undefined> } }).process?.env[name];

export const RUNS: number = Number(env("SESSIONKIT_RUNS") ?? 300);
export const FIXED_SEED = 20261129;
export const SEEDS: readonly number[] = env("SESSIONKIT_SEED") !== undefined
  ? [Number(env("SESSIONKIT_SEED"))]
  : [FIXED_SEED, (Math.random() * 0x7fffffff) | 0];
