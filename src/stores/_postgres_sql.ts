// The statements of PostgresStore for one schema, built once per store. Every value is a
// parameter ($n, sent as text and cast here); only the checked, quoted schema name is part of the
// text. Times are the store clock's, never the server's now().

import { COLUMNS } from "./_postgres_record.ts";
import { tables } from "./postgres_schema.ts";

/** The statement names. */
type Name =
  | "read"
  | "lock"
  | "live"
  | "lockUser"
  | "list"
  | "lockList"
  | "deleteIds"
  | "deleteId"
  | "destroy"
  | "destroyAll"
  | "insert"
  | "slide"
  | "rotate"
  | "update"
  | "revokeToken"
  | "revokeTokens"
  | "isTokenRevoked"
  | "sweepSessions"
  | "sweepRevocations"
  | "sweepCutoffs";

/** The statements of one store. */
export type Statements = Readonly<Record<Name, string>>;

/** The statements over the tables of a quoted schema name. */
export function statementsFor(schema: string): Statements {
  const { sessions: s, revocations: r, cutoffs: c } = tables(schema);
  return {
    /** $1 id. The write-free validation: one read, decided in the client. */
    read: `SELECT ${COLUMNS} FROM ${s} WHERE id = $1`,
    /** $1 id. */
    lock: `SELECT ${COLUMNS} FROM ${s} WHERE id = $1 FOR UPDATE`,
    /** $1 id, $2 now. */
    live: `SELECT ${COLUMNS} FROM ${s} WHERE id = $1 AND $2::bigint < idle_expires_at`,
    /** $1 lock key. Serialises the per-user operations (limit, eviction, destroyAll). */
    lockUser: `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`,
    /** $1 user, $2 now: the user's live sessions in login order. */
    list: `SELECT ${COLUMNS} FROM ${s} WHERE user_id = $1 AND $2::bigint < idle_expires_at
ORDER BY login_seq`,
    /** $1 user, $2 now. */
    lockList: `SELECT ${COLUMNS} FROM ${s} WHERE user_id = $1 AND $2::bigint < idle_expires_at
ORDER BY login_seq FOR UPDATE`,
    /** $1 ids separated by spaces. */
    deleteIds: `DELETE FROM ${s} WHERE id = ANY (string_to_array($1, ' '))`,
    /** $1 id. */
    deleteId: `DELETE FROM ${s} WHERE id = $1`,
    /** $1 id, $2 now. */
    destroy: `DELETE FROM ${s} WHERE id = $1 AND $2::bigint < idle_expires_at RETURNING ${COLUMNS}`,
    /** $1 user, $2 now, $3 the id kept (or null). */
    destroyAll: `DELETE FROM ${s} WHERE user_id = $1 AND $2::bigint < idle_expires_at
AND ($3::text IS NULL OR id <> $3::text) RETURNING ${COLUMNS}`,
    /**
     * $1 id, $2 user, $3 kind, $4 hash, $5 now, $6 idle expiry, $7 absolute expiry, $8 idle TTL,
     * $9 authenticatedAt, $10 device, $11 data.
     */
    insert: `INSERT INTO ${s} (id, user_id, kind, secret_hash, retired_hashes, grace_until,
created_at, last_active_at, idle_expires_at, absolute_expires_at, idle_ttl_ms, rotated_at,
authenticated_at, version, device, data)
VALUES ($1, $2, $3, $4, '', 0, $5::bigint, $5::bigint, $6::bigint, $7::bigint, $8::bigint,
$5::bigint, $9::bigint, 1, $10, $11)
ON CONFLICT (id) DO NOTHING RETURNING login_seq`,
    /** $1 id, $2 lastActiveAt, $3 idle expiry. */
    slide:
      `UPDATE ${s} SET last_active_at = $2::bigint, idle_expires_at = $3::bigint WHERE id = $1`,
    /**
     * $1 id, $2 hash, $3 retired hashes, $4 grace until, $5 now, $6 idle expiry,
     * $7 authenticatedAt.
     */
    rotate: `UPDATE ${s} SET secret_hash = $2, retired_hashes = $3, grace_until = $4::bigint,
rotated_at = $5::bigint, last_active_at = $5::bigint, idle_expires_at = $6::bigint,
authenticated_at = $7::bigint WHERE id = $1`,
    /** $1 id, $2 data, $3 version. */
    update: `UPDATE ${s} SET data = $2, version = $3::bigint WHERE id = $1`,
    /** $1 session id, $2 jti, $3 expiresAt. */
    revokeToken: `INSERT INTO ${r} AS r (session_id, jti, expires_at)
VALUES ($1, $2, $3::bigint) ON CONFLICT (session_id, jti)
DO UPDATE SET expires_at = GREATEST(r.expires_at, EXCLUDED.expires_at)`,
    /** $1 scope, $2 subject, $3 issuedBefore, $4 until, $5 now: merge with a cutoff in force. */
    revokeTokens: `INSERT INTO ${c} AS c (scope, subject, issued_before, until)
VALUES ($1, $2, $3::bigint, $4::bigint) ON CONFLICT (scope, subject) DO UPDATE SET
issued_before = CASE WHEN $5::bigint < c.until
  THEN GREATEST(c.issued_before, EXCLUDED.issued_before) ELSE EXCLUDED.issued_before END,
until = CASE WHEN $5::bigint < c.until THEN GREATEST(c.until, EXCLUDED.until) ELSE EXCLUDED.until END`,
    /** $1 session id, $2 jti, $3 user, $4 issuedAt, $5 now. */
    isTokenRevoked: `SELECT (EXISTS (SELECT 1 FROM ${r}
  WHERE session_id = $1 AND jti = $2 AND $5::bigint < expires_at)
OR EXISTS (SELECT 1 FROM ${c} WHERE ((scope = 's' AND subject = $1) OR (scope = 'u' AND subject = $3))
  AND $5::bigint < until AND $4::bigint < issued_before)) AS revoked`,
    /** $1 now, $2 batch size. Rows a transaction holds are left for the next sweep. */
    sweepSessions: `DELETE FROM ${s} WHERE id IN (SELECT id FROM ${s}
WHERE idle_expires_at <= $1::bigint LIMIT $2::integer FOR UPDATE SKIP LOCKED) RETURNING 1 AS n`,
    /** $1 now, $2 batch size. */
    sweepRevocations: `DELETE FROM ${r} WHERE (session_id, jti) IN (SELECT session_id, jti FROM ${r}
WHERE expires_at <= $1::bigint LIMIT $2::integer FOR UPDATE SKIP LOCKED) RETURNING 1 AS n`,
    /** $1 now, $2 batch size. */
    sweepCutoffs: `DELETE FROM ${c} WHERE (scope, subject) IN (SELECT scope, subject FROM ${c}
WHERE until <= $1::bigint LIMIT $2::integer FOR UPDATE SKIP LOCKED) RETURNING 1 AS n`,
  };
}
