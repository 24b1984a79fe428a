// Private: what DenoKvStore's operations share — the database, key building under the prefix,
// `expireIn` for garbage collection, and the retry loop around read-decide-commit attempts.
// Deno KV encodes a string key part as UTF-8, which would turn a lone surrogate into U+FFFD: every
// caller string in a key (prefix, user id, jti) is a part in the lossless form of _lossless_text.ts.
// Values keep strings exactly (V8 serialization), so records hold their user ids as they are.

import { SessionError } from "../core/errors.ts";
import type { DenoKv, DenoKvKey } from "./deno_kv_store_options.ts";
import { encodeText } from "./_lossless_text.ts";

/** A commit lost against a concurrent write: read again and decide again. */
export const RETRY: unique symbol = Symbol("retry");
/** One read-decide-commit attempt. */
export type Attempt<T> = Promise<T | typeof RETRY>;

/** The store's database and settings. */
export class KvCore {
  readonly kv: DenoKv;
  readonly #prefix: readonly string[];
  readonly #marginMs: number;
  readonly #maxAttempts: number;

  constructor(kv: DenoKv, prefix: readonly string[], marginMs: number, maxAttempts: number) {
    this.kv = kv;
    this.#prefix = prefix.map(encodeText);
    this.#marginMs = marginMs;
    this.#maxAttempts = maxAttempts;
  }

  /** A key under the prefix; string parts in their lossless form. */
  key(...parts: (string | number)[]): DenoKvKey {
    return [...this.#prefix, ...parts.map((p) => typeof p === "string" ? encodeText(p) : p)];
  }

  /** `expireIn` for an entry that is logically dead at `deadline`: garbage collection only. */
  expire(deadline: number, now: number): { expireIn: number } {
    return { expireIn: Math.min(Math.max(0, deadline - now), 2 ** 40) + this.#marginMs + 1 };
  }

  /** Runs `body` until its commit holds; a Deno KV failure or endless contention fails closed. */
  async attempt<T>(body: () => Attempt<T>): Promise<T> {
    for (let i = 0; i < this.#maxAttempts; i++) {
      let result: T | typeof RETRY;
      try {
        result = await body();
      } catch (error) {
        if (error instanceof SessionError) throw error;
        throw new SessionError("store-unavailable", "Deno KV failed", { cause: error });
      }
      if (result !== RETRY) return result;
    }
    throw new SessionError("store-unavailable", "Deno KV: too many concurrent writes; retry");
  }
}
