// PostgresStore's session rows: the column list, decoding a row, and the credential decision
// (current secret, grace predecessor, reuse of a retired one) made in the client on a row read
// with or without a lock, so the write-free validation and the locked paths decide alike.

import { constantTimeEqual } from "../core/credential.ts";
import { SessionError } from "../core/errors.ts";
import type { DeviceInfo, JsonObject, Session, SessionKind } from "../model/store.ts";
import type { SqlParam, SqlRow } from "./postgres_executor.ts";

/** The columns every session read selects. */
export const COLUMNS: string =
  "id, login_seq, user_id, kind, secret_hash, retired_hashes, grace_until, " +
  "created_at, last_active_at, idle_expires_at, absolute_expires_at, idle_ttl_ms, rotated_at, " +
  "authenticated_at, version, device, data";

/** A decoded session row. */
export interface Row {
  id: string;
  loginSeq: number;
  userId: string | null;
  kind: SessionKind;
  secretHash: string;
  /** Hashes of rotated-away secrets, oldest first. */
  retired: string[];
  graceUntil: number;
  createdAt: number;
  lastActiveAt: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  idleTtlMs: number;
  rotatedAt: number;
  authenticatedAt: number | null;
  version: number;
  device: DeviceInfo;
  dataJson: string;
}

const corrupt = (cause?: unknown) =>
  new SessionError("store-unavailable", "A session row is not in the store's format", { cause });

function num(value: unknown): number {
  const n = typeof value === "bigint" ? Number(value) : Number(value as string | number);
  if (typeof value !== "bigint" && typeof value !== "number" && typeof value !== "string") {
    throw corrupt();
  }
  if (!Number.isFinite(n)) throw corrupt();
  return n;
}

function text(value: unknown): string {
  if (typeof value !== "string") throw corrupt();
  return value;
}

/** A user id as stored: its JSON string (any JS string, NUL and lone surrogates included). */
export const encodeUser = (userId: string): string => JSON.stringify(userId);

/** Decodes one row; a row the store did not write is `store-unavailable`. */
export function decodeRow(row: SqlRow): Row {
  try {
    const kind = text(row.kind);
    if (kind !== "cookie" && kind !== "refresh") throw corrupt();
    const retired = text(row.retired_hashes);
    const userId = row.user_id === null ? null : JSON.parse(text(row.user_id)) as unknown;
    if (userId !== null && typeof userId !== "string") throw corrupt();
    const device = JSON.parse(text(row.device)) as DeviceInfo;
    const dataJson = text(row.data);
    return {
      id: text(row.id),
      loginSeq: num(row.login_seq),
      userId,
      kind,
      secretHash: text(row.secret_hash),
      retired: retired === "" ? [] : retired.split(" "),
      graceUntil: num(row.grace_until),
      createdAt: num(row.created_at),
      lastActiveAt: num(row.last_active_at),
      idleExpiresAt: num(row.idle_expires_at),
      absoluteExpiresAt: num(row.absolute_expires_at),
      idleTtlMs: num(row.idle_ttl_ms),
      rotatedAt: num(row.rotated_at),
      authenticatedAt: row.authenticated_at === null ? null : num(row.authenticated_at),
      version: num(row.version),
      device,
      dataJson,
    };
  } catch (error) {
    throw error instanceof SessionError ? error : corrupt(error);
  }
}

/** A row as the contract's {@linkcode Session} (fresh objects: callers may keep it). */
export function view(row: Row): Session {
  return {
    id: row.id,
    userId: row.userId,
    kind: row.kind,
    data: JSON.parse(row.dataJson) as JsonObject,
    version: row.version,
    device: { ...row.device },
    createdAt: row.createdAt,
    lastActiveAt: row.lastActiveAt,
    idleExpiresAt: row.idleExpiresAt,
    absoluteExpiresAt: row.absoluteExpiresAt,
    idleTtlMs: row.idleTtlMs,
    rotatedAt: row.rotatedAt,
    authenticatedAt: row.authenticatedAt,
  };
}

/** The verdict on a presented secret hash. */
export type Found =
  | { readonly outcome: "ok"; readonly row: Row; readonly grace: boolean }
  | { readonly outcome: "invalid" }
  | { readonly outcome: "reused"; readonly row: Row };

/**
 * What a presented secret (its hash) means for a row read at `now`: dead, of another kind or
 * unknown → invalid; the current secret, or the newest retired one inside its grace window → ok;
 * any other remembered secret → reused (the caller destroys the session).
 */
export function decide(
  row: Row | null,
  hash: string,
  now: number,
  kind: SessionKind | undefined,
): Found {
  if (row === null || !(now < row.idleExpiresAt)) return { outcome: "invalid" };
  if (kind !== undefined && row.kind !== kind) return { outcome: "invalid" };
  if (constantTimeEqual(hash, row.secretHash)) return { outcome: "ok", row, grace: false };
  const last = row.retired.length - 1;
  if (last >= 0 && now < row.graceUntil && constantTimeEqual(hash, row.retired[last]!)) {
    return { outcome: "ok", row, grace: true };
  }
  if (row.retired.some((old) => constantTimeEqual(hash, old))) return { outcome: "reused", row };
  return { outcome: "invalid" };
}

/** A number as a statement parameter (cast in SQL). */
export const p = (n: number): SqlParam => String(n);

/** Sets `lastActiveAt` and slides the idle expiry (never past the absolute one). */
export function slide(row: Row, now: number): void {
  row.lastActiveAt = now;
  row.idleExpiresAt = Math.min(now + row.idleTtlMs, row.absoluteExpiresAt);
}
