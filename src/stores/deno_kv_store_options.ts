/**
 * The part of `Deno.Kv` that {@linkcode DenoKvStore} uses, as a structural type (so sessionkit
 * type-checks without Deno's types: a `Deno.Kv` from `Deno.openKv()` fits it as it is), and the
 * store's options.
 *
 * @module
 */

import type { Clock } from "../core/clock.ts";
import type { RandomSource } from "../core/random.ts";

/** A Deno KV key: a list of parts. sessionkit uses strings and numbers only. */
export type DenoKvKey = readonly (string | number | bigint | boolean | Uint8Array)[];

/** One entry read from Deno KV; `versionstamp` is `null` when the key has no value. */
export interface DenoKvEntry {
  /** The key read. */
  readonly key: readonly unknown[];
  /** The value, or `null` when there is none. */
  readonly value: unknown;
  /** The version of the value, or `null` when there is none. */
  readonly versionstamp: string | null;
}

/** An atomic operation: checks that must hold, then mutations applied all together or not at all. */
export interface DenoKvAtomic {
  /** The commit fails unless each key still has this versionstamp (`null`: no value). */
  check(
    ...checks: { readonly key: DenoKvKey; readonly versionstamp: string | null }[]
  ): DenoKvAtomic;
  /** Sets a value; `expireIn` (ms) lets Deno KV delete it later (sessionkit: garbage only). */
  set(key: DenoKvKey, value: unknown, options?: { expireIn?: number }): DenoKvAtomic;
  /** Deletes a key. */
  delete(key: DenoKvKey): DenoKvAtomic;
  /** Applies the operation; `ok: false` when a check failed. */
  commit(): Promise<{ readonly ok: boolean }>;
}

/** The `Deno.Kv` methods the store calls. */
export interface DenoKv {
  /** Reads one key (strongly consistent by default). */
  get(key: DenoKvKey): Promise<DenoKvEntry>;
  /** Reads up to 10 keys in one consistent read. */
  getMany(keys: readonly DenoKvKey[]): Promise<DenoKvEntry[]>;
  /** Lists the keys under a prefix, in key order. */
  list(
    selector: { readonly prefix: DenoKvKey },
    options?: { readonly batchSize?: number },
  ): AsyncIterable<DenoKvEntry>;
  /** Starts an atomic operation. */
  atomic(): DenoKvAtomic;
}

/** Options of `DenoKvStore`. */
export interface DenoKvStoreOptions {
  /** Key prefix of everything the store writes: one or more non-empty strings. @default ["sessionkit"] */
  readonly prefix?: readonly string[];
  /** The clock of all expiry logic. @default systemClock */
  readonly clock?: Clock;
  /** Randomness for session ids and secrets. @default webCryptoRandom */
  readonly random?: RandomSource;
  /**
   * Cap on the UTF-8 size of session data JSON, at most 32768 (a Deno KV value holds at most
   * 64 KiB). @default 8192
   */
  readonly maxDataBytes?: number;
  /**
   * Deno KV keeps an entry this long past its logical expiry before `expireIn` deletes it. Expiry
   * itself is decided on the injected clock; `expireIn` (on Deno KV's own clock) only collects
   * garbage, so this must exceed the worst skew between the two. @default 3_600_000 (1 hour)
   */
  readonly gcMarginMs?: number;
  /**
   * How many times an operation is retried when a concurrent write changed what it read (its
   * versionstamp check failed) before it fails with `store-unavailable`. @default 32
   */
  readonly maxAttempts?: number;
}
