/**
 * The conformance kit: checks any {@linkcode SessionStore} against sessionkit's reference model
 * with fast-check — model-based runs over every operation plus "advance the clock", and a race
 * mode that starts operations concurrently and demands a linearisable outcome.
 *
 * Works in vitest, `deno test`, `node:test` and a plain script: `verifyStore` resolves when the
 * store conforms and rejects with a {@linkcode ConformanceError} (seed, path, shrunk commands and
 * how to replay) when it does not.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "@sessionkit/sessionkit";
 * import { verifyStore } from "@sessionkit/sessionkit/testing";
 * await verifyStore(({ clock, random }) => ({ store: new MemoryStore({ clock, random }) }), { runs: 5 });
 * ```
 *
 * @module
 */

import fc from "fast-check";
import { ManualClock } from "../core/clock.ts";
import { initialModelState } from "../model/model.ts";
import { type RandomSource, seededRandom, webCryptoRandom } from "../core/random.ts";
import { DEFAULT_MAX_DATA_BYTES, type SessionStore } from "../model/store.ts";
import { commandArbitraries, inspect, type Real } from "./_commands.ts";
import { checkArgumentLimits } from "./_argument_limits.ts";
import { raceCase, runRace } from "./_race.ts";
import { identityFamily, MAX_JTI_LENGTH, MAX_USER_ID_LENGTH } from "./_identities.ts";
import { DEFAULT_IDENTITIES, World } from "./_world.ts";

/** What the kit hands a store factory for each run. */
export interface StoreContext {
  /** The manual clock the store must use; the kit moves it. */
  readonly clock: ManualClock;
  /** A deterministic random source for this run (replays give the same bytes). */
  readonly random: RandomSource;
  /** The data cap the model applies; configure the store with the same. */
  readonly maxDataBytes: number;
}

/** A store prepared for one run. */
export interface StoreUnderTest {
  /** The store, fresh and empty, using the context's clock. */
  readonly store: SessionStore;
  /** Everything the store holds, as text: the kit checks that no issued secret appears in it. */
  readonly dump?: () => Promise<string> | string;
  /** Releases the store after the run (close connections, flush keys). */
  readonly cleanup?: () => Promise<void> | void;
}

/** Builds a fresh, empty store for each run. */
export type StoreFactory = (context: StoreContext) => Promise<StoreUnderTest> | StoreUnderTest;

/**
 * How much checking a {@linkcode verifyStore} call does. `"default"` takes about 2–5 s on an
 * in-memory store and was chosen by measurement (docs/kit-power.md); `"quick"` is for a fast inner
 * loop; `"thorough"` for CI on a slow backend, or before a release.
 */
export type VerifyBudget = "quick" | "default" | "thorough";

/** The runs, race runs and commands per run of each {@linkcode VerifyBudget}. */
export const VERIFY_BUDGETS: Readonly<
  Record<
    VerifyBudget,
    { readonly runs: number; readonly raceRuns: number; readonly maxCommands: number }
  >
> = Object.freeze({
  quick: Object.freeze({ runs: 30, raceRuns: 20, maxCommands: 40 }),
  default: Object.freeze({ runs: 100, raceRuns: 100, maxCommands: 60 }),
  thorough: Object.freeze({ runs: 1_000, raceRuns: 500, maxCommands: 100 }),
});

/** Options of {@linkcode verifyStore}. */
export interface VerifyOptions {
  /** A name for messages. @default "store" */
  readonly name?: string;
  /** A preset for `runs`, `raceRuns` and `maxCommands` (each may still be set). @default "default" */
  readonly budget?: VerifyBudget;
  /** Model-based runs. @default 100 (the budget's) */
  readonly runs?: number;
  /** Race-mode runs; 0 turns race mode off. @default 100 (the budget's) */
  readonly raceRuns?: number;
  /** Most commands per run. @default 60 (the budget's) */
  readonly maxCommands?: number;
  /**
   * Shrink a failure to a minimal run before reporting it. Turning it off reports the first
   * failing run as found: faster, for measuring the kit, not for debugging a store.
   * @default true
   */
  readonly shrink?: boolean;
  /** Seed to replay a failure (printed by a failure). @default random */
  readonly seed?: number;
  /** Path to replay a failure (printed by a failure). */
  readonly path?: string;
  /** Commands replay path (printed by a failure as `replayPath`). */
  readonly replayPath?: string;
  /** Milliseconds one store call may take before it counts as a failure. @default 5000 */
  readonly timeoutMs?: number;
  /** Data cap of the store under test. @default 8192 */
  readonly maxDataBytes?: number;
  /** Initial time of the manual clock (epoch ms). @default 1_800_000_000_000 */
  readonly startTime?: number;
  /**
   * Optional features the store declares. Only access-token revocation (`revokeToken`,
   * `revokeTokens`, `isTokenRevoked`) is optional — a store without it cannot back the manager's
   * `lists` revocation mode. Every other operation and invariant is core and always checked.
   * @default { tokenRevocation: true }
   */
  readonly features?: { readonly tokenRevocation?: boolean };
}

/** What a successful verification did. */
export interface VerifyReport {
  /** Model-based runs done. */
  readonly runs: number;
  /** Race-mode runs done. */
  readonly raceRuns: number;
  /** The seed used (pass it back to replay). */
  readonly seed: number;
}

/**
 * Thrown by {@linkcode verifyStore} when the store diverges from the model.
 *
 * @example
 * ```ts
 * import { ConformanceError } from "@sessionkit/sessionkit/testing";
 * const error = new ConformanceError("Example", { seed: 1, path: "0", replayPath: undefined });
 * if (error.seed !== 1) throw new Error("Lost the seed");
 * ```
 */
export class ConformanceError extends Error {
  /** The seed that reproduces the failure. */
  readonly seed: number;
  /** The fast-check path that reproduces the failure. */
  readonly path: string | undefined;
  /** The commands replay path, if fast-check printed one. */
  readonly replayPath: string | undefined;

  /**
   * Creates the error.
   *
   * @param message The report.
   * @param replay Seed and paths to replay.
   */
  constructor(
    message: string,
    replay: { seed: number; path: string | undefined; replayPath: string | undefined },
  ) {
    super(message);
    this.name = "ConformanceError";
    this.seed = replay.seed;
    this.path = replay.path;
    this.replayPath = replay.replayPath;
  }
}

/**
 * Checks a store against the reference model. Core invariants cannot be skipped: every operation
 * of the contract is exercised, including boundaries of expiry and grace windows, bad input,
 * credential hashing at rest (when `dump` is given) and concurrent calls.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "@sessionkit/sessionkit";
 * import { verifyStore } from "@sessionkit/sessionkit/testing";
 * const report = await verifyStore(
 *   ({ clock, random }) => {
 *     const store = new MemoryStore({ clock, random });
 *     return { store, dump: () => store.dump() };
 *   },
 *   { runs: 10, raceRuns: 5 },
 * );
 * if (report.runs !== 10) throw new Error("Unexpected report");
 * ```
 *
 * @param factory Builds a fresh store for each run, on the given clock.
 * @param options Budget, replay and store settings.
 * @returns A report of what ran.
 * @throws {ConformanceError} when the store diverges from the model (with seed and replay).
 */
export async function verifyStore(
  factory: StoreFactory,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const budget = VERIFY_BUDGETS[options.budget ?? "default"];
  if (budget === undefined) throw new TypeError(`Unknown budget ${String(options.budget)}`);
  const runs = options.runs ?? budget.runs;
  const raceRuns = options.raceRuns ?? budget.raceRuns;
  const shrink = options.shrink ?? true;
  const maxDataBytes = options.maxDataBytes ?? DEFAULT_MAX_DATA_BYTES;
  const seed = options.seed ?? randomSeed();
  const name = options.name ?? "store";
  const startTime = options.startTime ?? 1_800_000_000_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const config = { maxDataBytes };
  const tokenRevocation = options.features?.tokenRevocation ?? true;

  const prepare = async (
    randomSeed: number,
    identities: Identities = DEFAULT_IDENTITIES,
  ): Promise<{ world: World; real: Real; done: () => Promise<void> }> => {
    const clock = new ManualClock(startTime);
    const sut = await factory({ clock, random: seededRandom(randomSeed), maxDataBytes });
    const world = new World(initialModelState(), clock, config, timeoutMs, identities);
    world.inert = { tokenRevocation };
    return {
      world,
      real: { store: sut.store, dump: sut.dump },
      done: async () => {
        await sut.cleanup?.();
      },
    };
  };

  // Every argument limit, exhaustively, once per call (not sampled: the same cases every time).
  {
    const { world, real, done } = await prepare(0);
    try {
      await checkArgumentLimits(world, real, maxDataBytes, tokenRevocation);
    } catch (error) {
      throw new ConformanceError(
        `${name} diverges from the sessionkit model on an argument limit.\n  ${
          (error as Error).message
        }\n  steps:\n    ${world.log.slice(-3).join("\n    ")}\n` +
          `  replay: verifyStore(factory, { seed: ${seed} }) (the argument cases are the same every run)`,
        { seed, path: undefined, replayPath: undefined },
      );
    } finally {
      await done();
    }
  }

  // Each run's user ids and jtis: a family of values an index can confuse (_identities.ts).
  const identities: fc.Arbitrary<Identities> = fc.record({
    users: identityFamily(MAX_USER_ID_LENGTH),
    jtis: identityFamily(MAX_JTI_LENGTH),
  });
  const commands = fc.commands(commandArbitraries(maxDataBytes, tokenRevocation), {
    maxCommands: options.maxCommands ?? budget.maxCommands,
    size: "max",
    ...(options.replayPath === undefined ? {} : { replayPath: options.replayPath }),
  });
  const modelRuns = fc.asyncProperty(
    fc.integer(),
    identities,
    commands,
    async (randomSeed, ids, cmds) => {
      const { world, real, done } = await prepare(randomSeed, ids);
      try {
        await fc.asyncModelRun(() => ({ model: world, real }), cmds);
        world.note("final inspection (get every session, then list every user)");
        await inspect(world, real);
      } catch (error) {
        // The steps of THIS execution: when it is the reported counterexample, they are exactly
        // what failed (command labels alone may come from a later shrink attempt).
        throw new Error(
          `${error instanceof Error ? error.message : String(error)}\n  steps of the failing run ` +
            `(store random seed ${randomSeed}):\n    ${world.log.join("\n    ")}`,
        );
      } finally {
        await done();
      }
    },
  );
  const common = { name, seed, path: options.path, shrink };
  await check(modelRuns, { ...common, runs, what: "model-based run" });

  if (raceRuns > 0) {
    const races = fc.asyncProperty(
      fc.integer(),
      identities,
      raceCase,
      fc.scheduler(),
      async (randomSeed, ids, c, s) => {
        const { world, real, done } = await prepare(randomSeed, ids);
        const log: string[] = [];
        try {
          await runRace(world, real, c, s, log);
        } catch (error) {
          throw new Error(`${(error as Error).message}\n  steps: ${log.join("; ")}`);
        } finally {
          await done();
        }
      },
    );
    await check(races, { ...common, runs: raceRuns, what: "race" });
  }
  return { runs, raceRuns, seed };
}

async function check(
  property: fc.IAsyncProperty<[number, ...unknown[]]> | fc.IAsyncPropertyWithHooks<never>,
  o: {
    name: string;
    seed: number;
    runs: number;
    path: string | undefined;
    what: string;
    shrink: boolean;
  },
): Promise<void> {
  const details = await fc.check(property as fc.IAsyncProperty<unknown[]>, {
    seed: o.seed,
    numRuns: o.runs,
    endOnFailure: !o.shrink,
    ...(o.path === undefined ? {} : { path: o.path }),
  });
  if (!details.failed) return;
  const counterexample = details.counterexample === null
    ? "(none)"
    : details.counterexample.map((value) => fc.stringify(value)).join(", ");
  // Command labels are those of each command's latest execution, which may be a later shrink
  // attempt: a model-based failure shows the steps its own execution logged (in the cause).
  const shown = o.what === "race" ? counterexample : "the steps listed above";
  const replayPath = /replayPath="([^"]*)"/.exec(counterexample)?.[1];
  const cause = details.errorInstance instanceof Error
    ? details.errorInstance.message
    : String(details.errorInstance);
  const replay = `{ seed: ${details.seed}, path: ${JSON.stringify(details.counterexamplePath)}${
    replayPath === undefined ? "" : `, replayPath: ${JSON.stringify(replayPath)}`
  } }`;
  throw new ConformanceError(
    `${o.name} diverges from the sessionkit model in a ${o.what}.\n` +
      `  ${cause}\n` +
      `  counterexample (shrunk ${details.numShrinks} times): ${shown}\n` +
      `  replay: verifyStore(factory, ${replay})`,
    { seed: details.seed, path: details.counterexamplePath ?? undefined, replayPath },
  );
}

type Identities = { readonly users: readonly string[]; readonly jtis: readonly string[] };

/** A fresh 31-bit seed from the default random source (printed on failure for replay). */
function randomSeed(): number {
  const [a = 0, b = 0, c = 0, d = 0] = webCryptoRandom.fill(new Uint8Array(4));
  return ((a << 24) | (b << 16) | (c << 8) | d) & 0x7fffffff;
}
