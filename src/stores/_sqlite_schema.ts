// Private: SQLiteStore's schema, its statements and the row codec. Instants and durations are REAL
// columns (a float64 holds every value the clock and the TTL checks allow, beyond 2^53 included,
// and every driver returns it as a plain number); secrets exist only as hashes. User ids, jti values
// and cutoff keys are TEXT in the lossless form of _lossless_text.ts (SQLite TEXT is UTF-8, which
// would turn a lone surrogate into U+FFFD), read back as a BLOB of its UTF-8 (Deno's node:sqlite
// cuts a TEXT value at its first NUL); data and device are JSON text, well-formed, NUL escaped.

import type { DeviceInfo, SessionKind } from "../model/store.ts";
import type { StoredSession } from "./_store_record.ts";
import { decodeText, encodeText } from "./_lossless_text.ts";

/** The statements of one table prefix. */
export interface SqliteStatements {
  readonly migrate: string;
  readonly byId: string;
  readonly idTaken: string;
  readonly userLive: string;
  readonly insert: string;
  readonly save: string;
  readonly remove: string;
  readonly revokeToken: string;
  readonly revokeTokens: string;
  readonly isRevoked: string;
  readonly sweepSessions: string;
  readonly sweepTokens: string;
  readonly sweepCutoffs: string;
}

/** The schema version `migrate()` creates. */
export const SCHEMA_VERSION = 1;

const COLUMNS = "seq, id, user_id, kind, data, version, device, created_at, last_active_at, " +
  "idle_expires_at, absolute_expires_at, idle_ttl_ms, rotated_at, authenticated_at, " +
  "secret_hash, retired, grace_until";

/** The columns as read: the user id as the bytes of its UTF-8 (see above). */
const READ = COLUMNS.replace("user_id", "CAST(user_id AS BLOB) AS user_id");
const utf8 = new TextDecoder();

/** Builds the statements for tables named `<prefix>sessions`, `<prefix>tokens`, …. */
export function statements(prefix: string): SqliteStatements {
  const s = `${prefix}sessions`;
  const t = `${prefix}tokens`;
  const c = `${prefix}cutoffs`;
  const m = `${prefix}meta`;
  return {
    migrate: `
CREATE TABLE IF NOT EXISTS ${s} (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  user_id TEXT,
  kind TEXT NOT NULL,
  data TEXT NOT NULL,
  version INTEGER NOT NULL,
  device TEXT NOT NULL,
  created_at REAL NOT NULL,
  last_active_at REAL NOT NULL,
  idle_expires_at REAL NOT NULL,
  absolute_expires_at REAL NOT NULL,
  idle_ttl_ms REAL NOT NULL,
  rotated_at REAL NOT NULL,
  authenticated_at REAL,
  secret_hash TEXT NOT NULL,
  retired TEXT NOT NULL,
  grace_until REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS ${s}_user ON ${s} (user_id, seq) WHERE user_id IS NOT NULL;
CREATE INDEX IF NOT EXISTS ${s}_expiry ON ${s} (idle_expires_at);
CREATE TABLE IF NOT EXISTS ${t} (
  session_id TEXT NOT NULL,
  jti TEXT NOT NULL,
  until REAL NOT NULL,
  PRIMARY KEY (session_id, jti)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ${t}_until ON ${t} (until);
CREATE TABLE IF NOT EXISTS ${c} (
  scope TEXT NOT NULL,
  key TEXT NOT NULL,
  issued_before REAL NOT NULL,
  until REAL NOT NULL,
  PRIMARY KEY (scope, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ${c}_until ON ${c} (until);
CREATE TABLE IF NOT EXISTS ${m} (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
INSERT OR IGNORE INTO ${m} (name, value) VALUES ('schema', ${SCHEMA_VERSION});`,
    byId: `SELECT ${READ} FROM ${s} WHERE id = ?`,
    idTaken: `SELECT 1 AS taken FROM ${s} WHERE id = ?`,
    userLive: `SELECT ${READ} FROM ${s} WHERE user_id = ? AND ? < idle_expires_at ORDER BY seq`,
    insert: `INSERT INTO ${s} (${COLUMNS}) VALUES (NULL${", ?".repeat(16)})`,
    save: `UPDATE ${s} SET data = ?, version = ?, last_active_at = ?, idle_expires_at = ?, ` +
      `rotated_at = ?, authenticated_at = ?, secret_hash = ?, retired = ?, grace_until = ? ` +
      `WHERE id = ?`,
    remove: `DELETE FROM ${s} WHERE id = ?`,
    revokeToken: `INSERT INTO ${t} (session_id, jti, until) VALUES (?, ?, ?) ` +
      `ON CONFLICT (session_id, jti) DO UPDATE SET until = max(until, excluded.until)`,
    // A cutoff still in force merges (larger of each); one whose `until` has passed is replaced.
    // SET expressions read the row as it was before the update.
    revokeTokens: `INSERT INTO ${c} (scope, key, issued_before, until) VALUES (?, ?, ?, ?) ` +
      `ON CONFLICT (scope, key) DO UPDATE SET ` +
      `issued_before = CASE WHEN ? < until THEN max(issued_before, excluded.issued_before) ` +
      `ELSE excluded.issued_before END, ` +
      `until = CASE WHEN ? < until THEN max(until, excluded.until) ELSE excluded.until END`,
    isRevoked: `SELECT (` +
      `EXISTS (SELECT 1 FROM ${t} WHERE session_id = ? AND jti = ? AND ? < until) OR ` +
      `EXISTS (SELECT 1 FROM ${c} WHERE scope = 's' AND key = ? AND ? < until AND ? < issued_before) OR ` +
      `EXISTS (SELECT 1 FROM ${c} WHERE scope = 'u' AND key = ? AND ? < until AND ? < issued_before)` +
      `) AS revoked`,
    sweepSessions: `DELETE FROM ${s} WHERE seq IN ` +
      `(SELECT seq FROM ${s} WHERE idle_expires_at <= ? LIMIT ?)`,
    sweepTokens: `DELETE FROM ${t} WHERE (session_id, jti) IN ` +
      `(SELECT session_id, jti FROM ${t} WHERE until <= ? LIMIT ?)`,
    sweepCutoffs: `DELETE FROM ${c} WHERE (scope, key) IN ` +
      `(SELECT scope, key FROM ${c} WHERE until <= ? LIMIT ?)`,
  };
}

/** A session row as a driver returns it (column name → value). */
type Row = Record<string, unknown>;

/** The values of {@linkcode SqliteStatements.insert}, in column order after `seq`. */
export function insertValues(rec: StoredSession): (string | number | null)[] {
  return [
    rec.id,
    rec.userId === null ? null : encodeText(rec.userId),
    rec.kind,
    rec.dataJson,
    rec.version,
    JSON.stringify(rec.device),
    rec.createdAt,
    rec.lastActiveAt,
    rec.idleExpiresAt,
    rec.absoluteExpiresAt,
    rec.idleTtlMs,
    rec.rotatedAt,
    rec.authenticatedAt,
    rec.secretHash,
    rec.retired.join(" "),
    rec.graceUntil,
  ];
}

/** The values of {@linkcode SqliteStatements.save}: every field a session's life changes. */
export function saveValues(rec: StoredSession): (string | number | null)[] {
  return [
    rec.dataJson,
    rec.version,
    rec.lastActiveAt,
    rec.idleExpiresAt,
    rec.rotatedAt,
    rec.authenticatedAt,
    rec.secretHash,
    rec.retired.join(" "),
    rec.graceUntil,
    rec.id,
  ];
}

const num = (value: unknown): number => Number(value);
/** A BLOB of UTF-8 (every driver answers a `Uint8Array`, Node's `Buffer` included) as text. */
const text = (value: unknown): string =>
  value instanceof Uint8Array ? utf8.decode(value) : String(value);

/** Decodes a session row; `null` for no row (drivers answer `undefined` or `null`). */
export function decodeRow(row: unknown): StoredSession | null {
  if (row === undefined || row === null) return null;
  const r = row as Row;
  const retired = String(r.retired);
  return {
    id: String(r.id),
    userId: r.user_id === null ? null : decodeText(text(r.user_id)),
    kind: r.kind === "refresh" ? "refresh" : "cookie" as SessionKind,
    dataJson: String(r.data),
    version: num(r.version),
    device: JSON.parse(String(r.device)) as DeviceInfo,
    createdAt: num(r.created_at),
    lastActiveAt: num(r.last_active_at),
    idleExpiresAt: num(r.idle_expires_at),
    absoluteExpiresAt: num(r.absolute_expires_at),
    idleTtlMs: num(r.idle_ttl_ms),
    rotatedAt: num(r.rotated_at),
    authenticatedAt: r.authenticated_at === null ? null : num(r.authenticated_at),
    secretHash: String(r.secret_hash),
    retired: retired === "" ? [] : retired.split(" "),
    graceUntil: num(r.grace_until),
  };
}
