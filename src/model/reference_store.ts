/**
 * The reference model wrapped as a {@linkcode SessionStore}.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import {
  initialModelState,
  type ModelConfig,
  type ModelOperation,
  type ModelState,
  step,
} from "./model.ts";
import type {
  AttachOptions,
  AttachResult,
  CreateOptions,
  CreateResult,
  DestroyAllOptions,
  JsonObject,
  RotateOptions,
  RotateResult,
  Session,
  SessionStore,
  TokenCutoff,
  TokenIdentity,
  TokenRevocation,
  UpdateOptions,
  UpdateResult,
  ValidateOptions,
  ValidateResult,
} from "./store.ts";

/**
 * The model as a {@linkcode SessionStore}: the slowest, most obviously correct store. The
 * conformance kit runs it side by side with the store under test; it is also handy in unit tests.
 * Not for production: it never forgets an expired session.
 *
 * @example
 * ```ts
 * import { ManualClock } from "@sessionkit/sessionkit";
 * import { ReferenceStore } from "@sessionkit/sessionkit/model";
 * const clock = new ManualClock(0);
 * const store = new ReferenceStore({ clock });
 * const created = await store.create({ userId: "u1", idleTtlMs: 100, absoluteTtlMs: 1_000 });
 * if (created.status !== "created") throw new Error("Not created");
 * clock.advance(100);
 * if ((await store.validate(created.credential)).status !== "invalid") throw new Error("Alive");
 * ```
 */
export class ReferenceStore implements SessionStore {
  /** The current model state (read-only snapshot). */
  state: ModelState = initialModelState();
  readonly #clock: Clock;
  readonly #config: ModelConfig;

  /**
   * Creates an empty reference store.
   *
   * @param options `clock` (required) and the model settings shared with other stores.
   */
  constructor(options: { clock: Clock } & ModelConfig) {
    this.#clock = options.clock;
    this.#config = options.maxDataBytes === undefined ? {} : { maxDataBytes: options.maxDataBytes };
  }

  /**
   * Applies an operation now and returns its result.
   *
   * @param operation The operation.
   * @returns The model's answer.
   */
  apply(operation: ModelOperation): unknown {
    const next = step(this.state, operation, this.#clock.now(), this.#config);
    this.state = next.state;
    return next.result;
  }

  #run<T>(operation: ModelOperation): Promise<T> {
    try {
      return Promise.resolve(this.apply(operation) as T);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** See {@linkcode SessionStore.create}. */
  create(options: CreateOptions): Promise<CreateResult> {
    return this.#run({ op: "create", options });
  }
  /** See {@linkcode SessionStore.validate}. */
  validate(credential: string, options?: ValidateOptions): Promise<ValidateResult> {
    return this.#run(
      options ? { op: "validate", credential, options } : { op: "validate", credential },
    );
  }
  /** See {@linkcode SessionStore.rotate}. */
  rotate(credential: string, options?: RotateOptions): Promise<RotateResult> {
    return this.#run(
      options ? { op: "rotate", credential, options } : { op: "rotate", credential },
    );
  }
  /** See {@linkcode SessionStore.attach}. */
  attach(credential: string, options: AttachOptions): Promise<AttachResult> {
    return this.#run({ op: "attach", credential, options });
  }
  /** See {@linkcode SessionStore.update}. */
  update(sessionId: string, data: JsonObject, options?: UpdateOptions): Promise<UpdateResult> {
    return this.#run(
      options ? { op: "update", sessionId, data, options } : { op: "update", sessionId, data },
    );
  }
  /** See {@linkcode SessionStore.get}. */
  get(sessionId: string): Promise<Session | null> {
    return this.#run({ op: "get", sessionId });
  }
  /** See {@linkcode SessionStore.destroy}. */
  destroy(sessionId: string): Promise<Session | null> {
    return this.#run({ op: "destroy", sessionId });
  }
  /** See {@linkcode SessionStore.list}. */
  list(userId: string): Promise<Session[]> {
    return this.#run({ op: "list", userId });
  }
  /** See {@linkcode SessionStore.destroyAll}. */
  destroyAll(userId: string, options?: DestroyAllOptions): Promise<Session[]> {
    return this.#run(
      options ? { op: "destroyAll", userId, options } : { op: "destroyAll", userId },
    );
  }
  /** See {@linkcode SessionStore.revokeToken}. */
  revokeToken(revocation: TokenRevocation): Promise<void> {
    return this.#run({ op: "revokeToken", revocation });
  }
  /** See {@linkcode SessionStore.revokeTokens}. */
  revokeTokens(cutoff: TokenCutoff): Promise<void> {
    return this.#run({ op: "revokeTokens", cutoff });
  }
  /** See {@linkcode SessionStore.isTokenRevoked}. */
  isTokenRevoked(token: TokenIdentity): Promise<boolean> {
    return this.#run({ op: "isTokenRevoked", token });
  }
}
