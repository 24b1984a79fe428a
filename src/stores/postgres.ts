/**
 * The Postgres store of sessionkit (subpath `./postgres`): {@linkcode PostgresStore} over a small
 * {@linkcode SqlExecutor}, with adapters for node-postgres ({@linkcode fromPg}), postgres.js
 * ({@linkcode fromPostgresJs}) and PGlite ({@linkcode fromPGlite}), and the schema
 * ({@linkcode migrate}, {@linkcode postgresSchemaSql}). No driver is imported here: bring your own.
 *
 * @example
 * ```ts
 * import { PGlite } from "@electric-sql/pglite";
 * import { fromPGlite, migrate, PostgresStore } from "@sessionkit/sessionkit/postgres";
 * const executor = fromPGlite(new PGlite());
 * await migrate(executor);
 * const store = new PostgresStore(executor);
 * const login = await store.create({ userId: "ada", idleTtlMs: 3_600_000, absoluteTtlMs: 86_400_000 });
 * if (login.status !== "created") throw new Error("Login refused");
 * ```
 *
 * @module
 */

export {
  PostgresStore,
  type PostgresStoreOptions,
  type PostgresSweepOptions,
  type PostgresSweepReport,
} from "./postgres_store.ts";
export type { SqlExecutor, SqlParam, SqlQuery, SqlRow } from "./postgres_executor.ts";
export {
  fromPg,
  fromPGlite,
  fromPostgresJs,
  type PgClientLike,
  type PGliteLike,
  type PGliteTransactionLike,
  type PgPoolLike,
  type PostgresJsLike,
  type PostgresJsTransactionLike,
} from "./postgres_adapters.ts";
export {
  migrate,
  POSTGRES_SCHEMA_VERSION,
  type PostgresSchemaOptions,
  postgresSchemaSql,
} from "./postgres_schema.ts";
