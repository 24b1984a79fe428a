/**
 * The Deno KV store of sessionkit (subpath `./deno-kv`): {@linkcode DenoKvStore} over the
 * `Deno.Kv` that `Deno.openKv()` returns — a local file, `:memory:`, or Deno Deploy's database.
 * Nothing of Deno is imported: the Kv surface used is a structural type ({@linkcode DenoKv}).
 *
 * @example
 * ```ts
 * import { DenoKvStore } from "@sessionkit/sessionkit/deno-kv";
 * const kv = await Deno.openKv(":memory:"); // Deno Deploy: await Deno.openKv()
 * const store = new DenoKvStore(kv, { prefix: ["app", "sessions"] });
 * const login = await store.create({ userId: "ada", idleTtlMs: 3_600_000, absoluteTtlMs: 86_400_000 });
 * if (login.status !== "created") throw new Error("Login refused");
 * kv.close();
 * ```
 *
 * @module
 */

export {
  type DenoKv,
  type DenoKvAtomic,
  type DenoKvEntry,
  type DenoKvKey,
  DenoKvStore,
  type DenoKvStoreOptions,
} from "./deno_kv_store.ts";
