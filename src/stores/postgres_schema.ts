/**
 * The tables of {@linkcode PostgresStore}, as SQL text ({@linkcode postgresSchemaSql}, for your
 * own migration tool) and as {@linkcode migrate} (safe to run twice, and from several processes at
 * once: it holds a transaction-scoped advisory lock).
 *
 * @module
 */

import { typeError } from "../core/errors.ts";
import { guarded, type SqlExecutor } from "./postgres_executor.ts";

/** Options naming where the tables live. */
export interface PostgresSchemaOptions {
  /**
   * The Postgres schema of the tables: lower-case letters, digits and `_`, starting with a letter
   * or `_`, at most 63 characters. Created by {@linkcode migrate} when missing. @default "public"
   */
  readonly schema?: string;
}

/** The schema version {@linkcode migrate} brings a database to. */
export const POSTGRES_SCHEMA_VERSION = 1;

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The checked schema name, quoted (it is never taken from a request). */
export function schemaName(options: PostgresSchemaOptions | undefined): string {
  const schema = options?.schema ?? "public";
  if (typeof schema !== "string" || !SCHEMA_NAME.test(schema)) {
    throw typeError("invalid-argument", "schema must match /^[a-z_][a-z0-9_]{0,62}$/");
  }
  return `"${schema}"`;
}

/** The table names under a quoted schema. */
export function tables(schema: string): { sessions: string; revocations: string; cutoffs: string } {
  return {
    sessions: `${schema}.sessionkit_sessions`,
    revocations: `${schema}.sessionkit_token_revocations`,
    cutoffs: `${schema}.sessionkit_token_cutoffs`,
  };
}

function statements(schema: string): string[] {
  const t = tables(schema);
  return [
    `CREATE TABLE IF NOT EXISTS ${schema}.sessionkit_schema (version integer PRIMARY KEY)`,
    // Times are epoch ms on the store's clock; user ids, device and data are JSON text (exact:
    // jsonb would refuse \u0000 and lone surrogates, and reorder keys). Hashes only, no secret.
    `CREATE TABLE IF NOT EXISTS ${t.sessions} (
  id text PRIMARY KEY,
  login_seq bigint GENERATED ALWAYS AS IDENTITY,
  user_id text,
  kind text NOT NULL CHECK (kind IN ('cookie', 'refresh')),
  secret_hash text NOT NULL,
  retired_hashes text NOT NULL DEFAULT '',
  grace_until bigint NOT NULL,
  created_at bigint NOT NULL,
  last_active_at bigint NOT NULL,
  idle_expires_at bigint NOT NULL,
  absolute_expires_at bigint NOT NULL,
  idle_ttl_ms bigint NOT NULL,
  rotated_at bigint NOT NULL,
  authenticated_at bigint,
  version bigint NOT NULL,
  device text NOT NULL,
  data text NOT NULL
)`,
    `CREATE INDEX IF NOT EXISTS sessionkit_sessions_user ON ${t.sessions} (user_id, login_seq)
  WHERE user_id IS NOT NULL`,
    `CREATE INDEX IF NOT EXISTS sessionkit_sessions_idle ON ${t.sessions} (idle_expires_at)`,
    `CREATE TABLE IF NOT EXISTS ${t.revocations} (
  session_id text NOT NULL,
  jti text NOT NULL,
  expires_at bigint NOT NULL,
  PRIMARY KEY (session_id, jti)
)`,
    `CREATE INDEX IF NOT EXISTS sessionkit_token_revocations_expiry ON ${t.revocations} (expires_at)`,
    // scope 's': subject is a session id; scope 'u': a JSON-encoded user id.
    `CREATE TABLE IF NOT EXISTS ${t.cutoffs} (
  scope text NOT NULL CHECK (scope IN ('s', 'u')),
  subject text NOT NULL,
  issued_before bigint NOT NULL,
  until bigint NOT NULL,
  PRIMARY KEY (scope, subject)
)`,
    `CREATE INDEX IF NOT EXISTS sessionkit_token_cutoffs_until ON ${t.cutoffs} (until)`,
    `INSERT INTO ${schema}.sessionkit_schema (version) VALUES (${POSTGRES_SCHEMA_VERSION})
  ON CONFLICT DO NOTHING`,
  ];
}

/**
 * The SQL that creates the store's tables and indexes (idempotent statements separated by `;`),
 * for applications that run their own migrations.
 *
 * @example
 * ```ts
 * import { postgresSchemaSql } from "@sessionkit/sessionkit/postgres";
 * const sql = postgresSchemaSql({ schema: "auth" });
 * if (!sql.includes('"auth".sessionkit_sessions')) throw new Error("Wrong schema");
 * ```
 *
 * @param options The schema (default `public`).
 * @returns The SQL text.
 * @throws {TypeError} `invalid-argument` for a bad schema name.
 */
export function postgresSchemaSql(options?: PostgresSchemaOptions): string {
  const schema = schemaName(options);
  const create = schema === `"public"` ? [] : [`CREATE SCHEMA IF NOT EXISTS ${schema}`];
  return [...create, ...statements(schema)].map((s) => `${s};\n`).join("");
}

/**
 * Creates (or completes) the store's tables in one transaction, under an advisory lock so that
 * concurrent calls from several processes wait for each other instead of failing.
 *
 * @example
 * ```ts
 * import { PGlite } from "@electric-sql/pglite";
 * import { fromPGlite, migrate } from "@sessionkit/sessionkit/postgres";
 * const executor = fromPGlite(new PGlite());
 * await migrate(executor);
 * await migrate(executor); // a second run changes nothing
 * ```
 *
 * @param executor Where to run it.
 * @param options The schema (default `public`).
 * @throws {TypeError} `invalid-argument` for a bad schema name.
 * @throws {SessionError} `store-unavailable` when Postgres fails.
 */
export async function migrate(
  executor: SqlExecutor,
  options?: PostgresSchemaOptions,
): Promise<void> {
  const schema = schemaName(options);
  await guarded(executor).transaction(async (query) => {
    await query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", [
      `sessionkit:migrate:${schema}`,
    ]);
    if (schema !== `"public"`) await query(`CREATE SCHEMA IF NOT EXISTS ${schema}`, []);
    for (const statement of statements(schema)) await query(statement, []);
  });
}
