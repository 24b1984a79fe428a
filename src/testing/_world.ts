// Private: the kit's side-by-side world — the model state, the shared manual clock, and the
// bijection between the store's ids/credentials and the model's.

import type { ManualClock } from "../core/clock.ts";
import { tryParseCredential } from "../core/credential.ts";
import { type ModelConfig, type ModelOperation, type ModelState, step } from "../model/model.ts";
import type { SessionStore } from "../model/store.ts";
import { Aliasing } from "./_aliasing.ts";
import { firstDifference } from "./_equal.ts";
import { probeInert } from "./_inert.ts";
import type { Outcome, Pair, WorldView } from "./_world_view.ts";

/** A well-formed session id that no store issued. */
export const UNKNOWN_ID = "unknownSessionId";

/** The identities of a world made without drawn ones (argument limits, hand-written runs). */
export const DEFAULT_IDENTITIES = { users: ["u1", "u2", "u3"], jtis: ["j1", "j2", "j3"] } as const;

export type { Outcome, Pair } from "./_world_view.ts";

/** Thrown when the store disagrees with the model. */
export class Divergence extends Error {
  constructor(message: string) {
    super(message);
    this.name = "Divergence";
  }
}

export class World implements WorldView {
  state: ModelState;
  readonly clock: ManualClock;
  readonly config: ModelConfig;
  readonly timeoutMs: number;
  /** Every credential issued, in order; commands refer to them by index. */
  readonly credentials: Pair[] = [];
  /** Every session id seen, in order. */
  readonly sessions: Pair[] = [];
  /** What the current run did, step by step, with clock offsets (printed on failure). */
  readonly log: string[] = [];
  /** Instants the kit used (cutoffs, revocations): later steps aim the clock and tokens at them. */
  readonly remembered: Set<number> = new Set<number>();
  /** The caller's copies of arguments and answers (_aliasing.ts); shared with forks. */
  aliasing: Aliasing = new Aliasing();
  /**
   * Read back after every refusal (_inert.ts), and whether token revocation is read too; `null`
   * turns it off (a world that only replays).
   */
  inert: { readonly tokenRevocation: boolean } | null = null;
  #probing = false;
  readonly #refusals = new Map<string, number>();
  #start: number;
  readonly #idToModel = new Map<string, string>();
  readonly #idToReal = new Map<string, string>();
  readonly #credToModel = new Map<string, string>();

  /** This run's user ids: a family of values an index can confuse (_identities.ts). */
  readonly users: readonly string[];
  /** This run's token ids (jti), likewise. */
  readonly jtis: readonly string[];

  constructor(
    state: ModelState,
    clock: ManualClock,
    config: ModelConfig,
    timeoutMs: number,
    identities: { users: readonly string[]; jtis: readonly string[] } = DEFAULT_IDENTITIES,
  ) {
    this.state = state;
    this.clock = clock;
    this.config = config;
    this.timeoutMs = timeoutMs;
    this.#start = clock.now();
    this.users = identities.users;
    this.jtis = identities.jtis;
  }

  /** Records one step of the run, stamped with the clock's offset from the start. */
  note(text: string): void {
    this.log.push(`[t+${this.clock.now() - this.#start}] ${text}`);
  }

  /**
   * Every instant the model compares against: each known session's deadlines and the revocations'
   * and cutoffs' bounds (live or past), plus the ones the kit remembered. Sorted, distinct.
   */
  instants(): number[] {
    const out = new Set(this.remembered);
    for (const s of this.state.sessions.values()) {
      out.add(s.idleExpiresAt).add(s.absoluteExpiresAt).add(s.graceUntil).add(s.createdAt);
      out.add(s.rotatedAt);
    }
    for (const until of this.state.revokedTokens.values()) out.add(until);
    for (const c of [...this.state.sessionCutoffs.values(), ...this.state.userCutoffs.values()]) {
      out.add(c.issuedBefore).add(c.until);
    }
    return [...out].sort((a, b) => a - b);
  }

  /** The real session id paired with a model id; an id no store issued stands for itself. */
  realOf(modelId: string): string {
    return this.#idToReal.get(modelId) ?? modelId;
  }

  /** The real session id paired with a model id, or a well-formed id nobody has. */
  realId(modelId: string): string {
    return this.#idToReal.get(modelId) ?? "unknownSessionId";
  }

  /**
   * The pair for a session id the kit made up (a near-miss of a real one): the session it names
   * if the store issued it, else the same text on both sides; `null` when the text is a model id
   * of another session (then it would mean two things).
   */
  pairOf(real: string): Pair | null {
    const model = this.#idToModel.get(real);
    if (model !== undefined) return { real, model };
    if (this.#idToReal.has(real) || this.state.sessions.has(real)) return null;
    return { real, model: real };
  }

  credentialLabel(real: string): string {
    const i = this.credentials.findIndex((p) => p.real === real);
    return i >= 0 ? `cred#${i}` : "an unknown credential";
  }

  /** Runs one operation on the model and on the store, and compares the answers. */
  async both(
    operation: ModelOperation,
    call: (store: SessionStore) => Promise<unknown>,
    store: SessionStore,
  ): Promise<unknown> {
    const before = this.state;
    const outcome = await this.outcome(this.start(operation.op, call, store), operation.op);
    this.judge(operation, outcome);
    const complaint = this.aliasing.settle();
    if (complaint !== null) throw new Divergence(complaint);
    if (before === this.state && this.inert !== null && !this.#probing) {
      // A refusal (the model changed nothing): the store must have changed nothing either.
      this.#probing = true;
      try {
        await probeInert(
          this,
          operation,
          outcome,
          store,
          this.inert.tokenRevocation,
          this.#refusals,
        );
      } finally {
        this.#probing = false;
      }
    }
    return outcome.ok ? outcome.value : undefined;
  }

  /** Starts a store call; a store method must reject, never throw synchronously. */
  start(
    op: string,
    call: (store: SessionStore) => Promise<unknown>,
    store: SessionStore,
  ): Promise<unknown> {
    try {
      return call(this.aliasing.wrap(store));
    } catch (error) {
      throw new Divergence(
        `${op}: the store threw synchronously (${
          describeError(error)
        }); an operation must return a rejected promise`,
      );
    }
  }

  /** Awaits a store call (with the kit's timeout) and captures its value or error. */
  async outcome(promise: Promise<unknown>, op = "a call"): Promise<Outcome> {
    try {
      // Judged as it arrived: a store that changes it later cannot fool the kit (_aliasing.ts).
      return { ok: true, value: this.aliasing.arrived(op, await this.#timed(promise)) };
    } catch (error) {
      if (error instanceof Divergence) throw error;
      return { ok: false, error };
    }
  }

  /** Compares what the store answered with the model's next step, and advances the model. */
  judge(operation: ModelOperation, outcome: Outcome): void {
    let expected: { state: ModelState; result: unknown } | undefined;
    let expectedError: unknown;
    try {
      expected = step(this.state, operation, this.clock.now(), this.config);
    } catch (error) {
      expectedError = error;
    }
    if (expected === undefined) {
      if (outcome.ok) {
        throw new Divergence(
          `${operation.op}: the model refuses the arguments (${describeError(expectedError)}) ` +
            "but the store accepted them",
        );
      }
      if (errorKey(outcome.error) !== errorKey(expectedError)) {
        throw new Divergence(
          `${operation.op}: store threw ${describeError(outcome.error)}, model throws ${
            describeError(expectedError)
          }`,
        );
      }
      return;
    }
    if (!outcome.ok) {
      throw new Divergence(`${operation.op}: store threw ${describeError(outcome.error)}`);
    }
    this.#register(outcome.value, expected.result);
    const difference = firstDifference(this.translate(outcome.value), expected.result);
    if (difference !== null) throw new Divergence(`${operation.op}: ${difference}`);
    this.state = expected.state;
  }

  /** A copy whose later changes do not affect this world (for trying linearisations). */
  fork(): World {
    const copy = new World(this.state, this.clock, this.config, this.timeoutMs, this);
    copy.#start = this.#start;
    copy.aliasing = this.aliasing;
    copy.credentials.push(...this.credentials);
    copy.sessions.push(...this.sessions);
    for (const [k, v] of this.#idToModel) copy.#idToModel.set(k, v);
    for (const [k, v] of this.#idToReal) copy.#idToReal.set(k, v);
    for (const [k, v] of this.#credToModel) copy.#credToModel.set(k, v);
    return copy;
  }

  /** Takes over the state of a fork. */
  adopt(fork: World): void {
    this.state = fork.state;
    this.credentials.splice(0, Infinity, ...fork.credentials);
    this.sessions.splice(0, Infinity, ...fork.sessions);
    for (const [k, v] of fork.#idToModel) this.#idToModel.set(k, v);
    for (const [k, v] of fork.#idToReal) this.#idToReal.set(k, v);
    for (const [k, v] of fork.#credToModel) this.#credToModel.set(k, v);
  }

  /** Pairs the new ids and credentials a result introduces. */
  #register(actual: unknown, expected: unknown): void {
    const a = actual as Record<string, unknown> | null;
    const e = expected as Record<string, unknown> | null;
    if (a === null || e === null || typeof a !== "object" || a.status !== e.status) return;
    const aSession = a.session as { id?: unknown } | undefined;
    const eSession = e.session as { id: string } | undefined;
    if (aSession && eSession && typeof aSession.id === "string") {
      this.#pairId(aSession.id, eSession.id);
    }
    if (typeof a.credential === "string" && typeof e.credential === "string") {
      const parsed = tryParseCredential(a.credential);
      if (parsed === null || parsed.sessionId !== aSession?.id) {
        throw new Divergence(
          `${String(a.status)}: the store issued a credential that is not <session id>.<secret>`,
        );
      }
      if (this.#credToModel.has(a.credential)) {
        throw new Divergence(`${String(a.status)}: the store issued the same credential twice`);
      }
      this.#credToModel.set(a.credential, e.credential);
      this.credentials.push({ real: a.credential, model: e.credential });
    }
  }

  #pairId(real: string, model: string): void {
    const known = this.#idToModel.get(real);
    if (known === undefined) {
      if (this.#idToReal.has(model)) {
        throw new Divergence("The store gave an existing session a different id");
      }
      this.#idToModel.set(real, model);
      this.#idToReal.set(model, real);
      this.sessions.push({ real, model });
    } else if (known !== model) {
      throw new Divergence("The store reused a session id for a different session");
    }
  }

  /** Rewrites a store answer into the model's vocabulary (ids and credentials). */
  translate(value: unknown, key = ""): unknown {
    if (typeof value === "string") {
      if (key === "id" || key === "sessionId" || key === "replacedSessionId") {
        return this.#idToModel.get(value) ?? `<unpaired id>`;
      }
      if (key === "credential") return this.#credToModel.get(value) ?? "<unpaired credential>";
      return value;
    }
    if (Array.isArray(value)) return value.map((item) => this.translate(item));
    if (value !== null && typeof value === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        out[k] = k === "data" ? v : this.translate(v, k);
      }
      return out;
    }
    return value;
  }

  async #timed<T>(promise: Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Divergence(`The store did not answer within ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

function errorKey(error: unknown): string {
  if (!(error instanceof Error)) return "non-error";
  const kind = error instanceof RangeError
    ? "RangeError"
    : error instanceof TypeError
    ? "TypeError"
    : error.name;
  return `${kind}/${String((error as { code?: unknown }).code)}`;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return `${errorKey(error)} "${error.message}"`;
}
