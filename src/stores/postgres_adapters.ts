/**
 * {@linkcode SqlExecutor} adapters for three Postgres drivers, typed structurally (no driver is
 * imported): node-postgres (`pg`), postgres.js (`postgres`) and PGlite (`@electric-sql/pglite`,
 * Postgres in WebAssembly, in process).
 *
 * @module
 */

import type { SqlExecutor, SqlParam, SqlQuery, SqlRow } from "./postgres_executor.ts";

/** What {@linkcode fromPg} needs of a node-postgres client (`pg.PoolClient`). */
export interface PgClientLike {
  /** Runs a statement. */
  query(text: string, values: SqlParam[]): Promise<{ rows: SqlRow[] }>;
  /** Returns the client to its pool; a truthy argument destroys it instead. */
  release(destroy?: boolean | Error): void;
  /** Listens for a connection error (node-postgres throws one no one listens for). */
  on?(event: "error", listener: (error: Error) => void): unknown;
}

/** Clients {@linkcode fromPg} listens on already. */
const listened = new WeakSet<PgClientLike>();
const ignore = (): void => {};

/** What {@linkcode fromPg} needs of a node-postgres `pg.Pool`. */
export interface PgPoolLike {
  /** Runs a statement on any pooled connection. */
  query(text: string, values: SqlParam[]): Promise<{ rows: SqlRow[] }>;
  /** Checks a connection out of the pool. */
  connect(): Promise<PgClientLike>;
}

/**
 * An executor over a node-postgres pool. A transaction checks one client out; a client whose
 * transaction failed is destroyed rather than returned (its state is unknown). Give the pool an
 * `error` listener (`pool.on("error", …)`): node-postgres throws an idle client's lost
 * connection otherwise.
 *
 * @example
 * ```ts
 * import pg from "pg";
 * import { fromPg, PostgresStore } from "@sessionkit/sessionkit/postgres";
 * const pool = new pg.Pool({ connectionString: "postgres://localhost/app" });
 * const store = new PostgresStore(fromPg(pool));
 * await pool.end();
 * ```
 *
 * @param pool A `pg.Pool` (or anything that fits {@linkcode PgPoolLike}).
 * @returns The executor.
 */
export function fromPg(pool: PgPoolLike): SqlExecutor {
  return {
    query: async (text, params) => (await pool.query(text, [...params])).rows,
    async transaction<T>(body: (query: SqlQuery) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      // A connection lost between two statements (or while a destroyed client ends) is an
      // `error` event, thrown when no one listens: the statement rejects instead. One listener
      // per client, kept for its life.
      if (!listened.has(client)) {
        listened.add(client);
        client.on?.("error", ignore);
      }
      const query: SqlQuery = async (text, params) => (await client.query(text, [...params])).rows;
      try {
        await client.query("BEGIN", []);
        const result = await body(query);
        await client.query("COMMIT", []);
        client.release();
        return result;
      } catch (error) {
        await client.query("ROLLBACK", []).catch(() => {});
        client.release(true);
        throw error;
      }
    },
  };
}

/** What {@linkcode fromPostgresJs} needs of a postgres.js `sql` (or a transaction's `sql`). */
export interface PostgresJsLike {
  /** Runs a statement given as text with its parameters. */
  unsafe(text: string, params: SqlParam[]): PromiseLike<readonly SqlRow[]>;
  /** Runs a callback in a transaction (postgres.js `sql.begin`). */
  begin(body: (sql: PostgresJsTransactionLike) => Promise<unknown>): PromiseLike<unknown>;
}

/** The transaction `sql` postgres.js hands to `begin`'s callback. */
export interface PostgresJsTransactionLike {
  /** Runs a statement given as text with its parameters. */
  unsafe(text: string, params: SqlParam[]): PromiseLike<readonly SqlRow[]>;
}

/**
 * An executor over postgres.js (porsager `postgres`): statements through `sql.unsafe(text,
 * params)` (parameters are still sent apart from the text), transactions through `sql.begin`.
 * A transaction whose connection is lost is left to the server (which rolls it back): no
 * ROLLBACK is written to the dead connection (see `docs/postgres.md`).
 *
 * @example
 * ```ts
 * import postgres from "postgres";
 * import { fromPostgresJs, PostgresStore } from "@sessionkit/sessionkit/postgres";
 * const sql = postgres("postgres://localhost/app");
 * const store = new PostgresStore(fromPostgresJs(sql));
 * await sql.end();
 * ```
 *
 * @param sql The `sql` function postgres.js returns.
 * @returns The executor.
 */
export function fromPostgresJs(sql: PostgresJsLike): SqlExecutor {
  const rowsOf = (rows: readonly SqlRow[]): readonly SqlRow[] => [...rows];
  return {
    query: async (text, params) => rowsOf(await sql.unsafe(text, [...params])),
    async transaction<T>(body: (query: SqlQuery) => Promise<T>): Promise<T> {
      let result: { value: T } | undefined;
      let lost = false;
      try {
        await sql.begin(async (tx) => {
          // Once the connection is lost, the body neither sends another statement nor rejects:
          // either would make postgres.js write to the closed socket (its ROLLBACK), which it
          // throws from a timer. `sql.begin` itself rejects when the connection closes.
          const query: SqlQuery = (text, params) => {
            if (lost) return new Promise(() => {});
            return Promise.resolve(tx.unsafe(text, [...params])).then(rowsOf, (error) => {
              if (!connectionLost(error)) throw error;
              lost = true;
              return new Promise<never>(() => {});
            });
          };
          result = { value: await body(query) };
        });
      } catch (error) {
        lost = true;
        throw error;
      }
      return result!.value;
    },
  };
}

/** Whether a postgres.js error means its connection is gone (or about to be). */
function connectionLost(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return false;
  return code.startsWith("CONNECT") || /^E[A-Z]+$/.test(code) || /^(08|57P)/.test(code);
}

/** What {@linkcode fromPGlite} needs of a PGlite database (or of its transaction). */
export interface PGliteLike {
  /** Runs a statement. */
  query(text: string, params: SqlParam[]): Promise<{ rows: SqlRow[] }>;
  /** Runs a callback in a transaction. */
  transaction<T>(body: (tx: PGliteTransactionLike) => Promise<T>): Promise<T>;
}

/** The transaction object PGlite hands to `transaction`'s callback. */
export interface PGliteTransactionLike {
  /** Runs a statement. */
  query(text: string, params: SqlParam[]): Promise<{ rows: SqlRow[] }>;
}

/**
 * An executor over PGlite (`@electric-sql/pglite`): one in-process connection, so transactions
 * run one at a time — the embedded default for tests, examples and small apps.
 *
 * @example
 * ```ts
 * import { PGlite } from "@electric-sql/pglite";
 * import { fromPGlite, migrate, PostgresStore } from "@sessionkit/sessionkit/postgres";
 * const executor = fromPGlite(new PGlite());
 * await migrate(executor);
 * const store = new PostgresStore(executor);
 * const login = await store.create({ userId: "ada", idleTtlMs: 60_000, absoluteTtlMs: 600_000 });
 * if (login.status !== "created") throw new Error("Login refused");
 * ```
 *
 * @param db A `PGlite` instance.
 * @returns The executor.
 */
export function fromPGlite(db: PGliteLike): SqlExecutor {
  return {
    query: async (text, params) => (await db.query(text, [...params])).rows,
    transaction: <T>(body: (query: SqlQuery) => Promise<T>): Promise<T> =>
      db.transaction((tx) =>
        body(async (text, params) => (await tx.query(text, [...params])).rows)
      ),
  };
}
