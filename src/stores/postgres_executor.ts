/**
 * The SQL executor {@linkcode PostgresStore} runs on: two functions, no driver. Adapters for
 * node-postgres, postgres.js and PGlite are in `postgres_adapters.ts`; anything else fits by
 * implementing {@linkcode SqlExecutor} (every failure must reject; the store maps it to
 * `store-unavailable`).
 *
 * @module
 */

import { SessionError } from "../core/errors.ts";

/**
 * A statement parameter. The store sends every value as text (or `null`) and casts it in SQL,
 * so drivers never have to guess a type.
 */
export type SqlParam = string | null;

/** A result row: column name → value as the driver decoded it. */
export type SqlRow = { readonly [column: string]: unknown };

/** Runs one parameterised statement (`$1`, `$2`, …) and resolves to its rows. */
export type SqlQuery = (text: string, params: readonly SqlParam[]) => Promise<readonly SqlRow[]>;

/**
 * What {@linkcode PostgresStore} needs from a database: statements, and a function run inside a
 * transaction (READ COMMITTED) on one connection.
 *
 * @example
 * ```ts
 * import { PGlite } from "@electric-sql/pglite";
 * import { fromPGlite, type SqlExecutor } from "@sessionkit/sessionkit/postgres";
 * const executor: SqlExecutor = fromPGlite(new PGlite());
 * const rows = await executor.query("SELECT $1::int + 1 AS n", ["41"]);
 * if (Number(rows[0]?.n) !== 42) throw new Error("Bad sum");
 * ```
 */
export interface SqlExecutor {
  /** Runs one statement outside any transaction (autocommit). */
  readonly query: SqlQuery;
  /**
   * Runs `body` in one transaction: BEGIN, the body's statements on one connection, COMMIT; a
   * rejection of the body (or of any statement) rolls back and rejects.
   */
  transaction<T>(body: (query: SqlQuery) => Promise<T>): Promise<T>;
}

const UNAVAILABLE = "Postgres failed; the operation's outcome is unknown";

/** Any failure of a driver, as the `store-unavailable` error the store throws. */
export function unavailable(error: unknown): SessionError {
  if (error instanceof SessionError) return error;
  return new SessionError("store-unavailable", UNAVAILABLE, { cause: error });
}

/** The SQLSTATE of a driver error, when it has one. */
export function sqlState(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; depth < 3 && typeof e === "object" && e !== null; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** SQLSTATEs that abort a transaction before anything commits: safe to run it again. */
const RETRYABLE = new Set(["40001", "40P01"]);

/** Rejects with `store-unavailable` when `promise` has not settled within `ms` (if finite). */
async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  if (!Number.isFinite(ms)) return await promise;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new SessionError("store-unavailable", `Postgres did not answer in ${ms} ms`)),
      ms,
    );
  });
  promise.catch(() => {}); // settled after the timeout: its outcome is unknown, as reported
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The executor the store uses: every rejection becomes `store-unavailable` (a driver that throws
 * from its own rollback on a dead connection included), a call that takes longer than
 * `timeoutMs` too (its outcome unknown), and a transaction aborted by a deadlock or a
 * serialisation failure (nothing committed) runs again, up to `attempts` times.
 */
export function guarded(
  executor: SqlExecutor,
  timeoutMs: number = Infinity,
  attempts: number = 3,
): SqlExecutor {
  const query: SqlQuery = async (text, params) => {
    try {
      return await within(executor.query(text, params), timeoutMs);
    } catch (error) {
      throw unavailable(error);
    }
  };
  return {
    query,
    async transaction<T>(body: (query: SqlQuery) => Promise<T>): Promise<T> {
      for (let attempt = 1;; attempt++) {
        try {
          return await within(executor.transaction(body), timeoutMs);
        } catch (error) {
          const state = sqlState(error);
          if (attempt < attempts && state !== undefined && RETRYABLE.has(state)) continue;
          throw unavailable(error);
        }
      }
    },
  };
}
