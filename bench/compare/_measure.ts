// The measuring core of bench/compare/compare.ts: interleaved rounds in one process, medians, ratios.
// A candidate is one operation; a batch runs it `ops` times with `inFlight` calls outstanding.
// Every candidate of a comparison is measured in every round, in a rotating order, so a noisy
// neighbour slows all of them alike; the ratio of medians is what the harness reports.

/** One operation under test. */
export interface Candidate {
  readonly name: string;
  /** One call of the operation (awaited when it returns a promise). */
  readonly op: () => unknown;
}

/** How long and how often to measure. */
export interface Budget {
  /** Target wall time of one batch, in ms. */
  readonly batchMs: number;
  /** Rounds per run. */
  readonly rounds: number;
  /** Independent runs (each gives one median). */
  readonly runs: number;
}

/** Nanoseconds per operation of each candidate, one median per run. */
export interface Measured {
  readonly name: string;
  readonly nsPerOp: readonly number[];
}

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

async function batch(op: () => unknown, ops: number, inFlight: number): Promise<number> {
  const start = performance.now();
  if (inFlight === 1) {
    for (let i = 0; i < ops; i++) {
      const result = op();
      if (result instanceof Promise) await result;
    }
  } else {
    const per = Math.max(1, Math.round(ops / inFlight));
    const worker = async () => {
      for (let i = 0; i < per; i++) await op();
    };
    const workers: Promise<void>[] = [];
    for (let w = 0; w < inFlight; w++) workers.push(worker());
    await Promise.all(workers);
    ops = per * inFlight;
  }
  return ((performance.now() - start) * 1e6) / ops;
}

/** How many operations fill `ms` of wall time (after a warm-up). */
async function calibrate(op: () => unknown, inFlight: number, ms: number): Promise<number> {
  let ops = inFlight;
  for (;;) {
    const ns = await batch(op, ops, inFlight);
    const spent = (ns * ops) / 1e6;
    if (spent >= ms / 4 || ops > 5_000_000) {
      return Math.max(inFlight, Math.round((ms * 1e6) / ns));
    }
    ops *= 4;
  }
}

/** Measures candidates side by side: interleaved rounds, rotating order, medians per run. */
export async function measure(
  candidates: readonly Candidate[],
  inFlight: number,
  budget: Budget,
): Promise<Measured[]> {
  const ops: number[] = [];
  for (const c of candidates) ops.push(await calibrate(c.op, inFlight, budget.batchMs));
  const perRun: number[][] = candidates.map(() => []);
  for (let run = 0; run < budget.runs; run++) {
    const samples: number[][] = candidates.map(() => []);
    for (let round = 0; round < budget.rounds; round++) {
      for (let k = 0; k < candidates.length; k++) {
        const i = (k + round + run) % candidates.length;
        samples[i]!.push(await batch(candidates[i]!.op, ops[i]!, inFlight));
      }
    }
    samples.forEach((s, i) => perRun[i]!.push(median(s)));
  }
  return candidates.map((c, i) => ({ name: c.name, nsPerOp: perRun[i]! }));
}

/** The ratio of two measured candidates: per run, then the median and range of the runs. */
export interface Ratio {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export function ratio(of: Measured, to: Measured): Ratio {
  const runs = of.nsPerOp.map((ns, i) => ns / to.nsPerOp[i]!);
  return { median: median(runs), min: Math.min(...runs), max: Math.max(...runs) };
}
