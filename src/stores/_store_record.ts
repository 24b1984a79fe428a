// Private: the session record of the embedded stores (SQLiteStore, DenoKvStore) and the pure rules
// they apply to it — judging a credential, sliding, rotating, opening. Each store reads a record,
// decides with these functions on the injected clock's `now`, and writes the result atomically in
// its own way (a transaction, an atomic commit with versionstamp checks).

import {
  constantTimeEqual,
  formatCredential,
  generateSecret,
  hashSecret,
} from "../core/credential.ts";
import type { RandomSource } from "../core/random.ts";
import type { CheckedCreate } from "../model/_arguments.ts";
import {
  type DeviceInfo,
  type JsonObject,
  RETIRED_SECRETS_KEPT,
  type Session,
  type SessionKind,
} from "../model/store.ts";

/** A stored session: the public fields plus the secret hashes (never a secret). */
export interface StoredSession {
  readonly id: string;
  readonly userId: string | null;
  readonly kind: SessionKind;
  readonly dataJson: string;
  readonly version: number;
  readonly device: DeviceInfo;
  readonly createdAt: number;
  readonly lastActiveAt: number;
  readonly idleExpiresAt: number;
  readonly absoluteExpiresAt: number;
  readonly idleTtlMs: number;
  readonly rotatedAt: number;
  readonly authenticatedAt: number | null;
  /** SHA-256 (base64url) of the current secret. */
  readonly secretHash: string;
  /** Hashes of rotated-away secrets, oldest first, at most {@linkcode RETIRED_SECRETS_KEPT}. */
  readonly retired: readonly string[];
  /** The newest retired secret validates strictly before this instant. */
  readonly graceUntil: number;
}

/** What a credential's hash is, for a live record of the asked kind. */
export type Verdict = "ok" | "grace" | "reused" | "invalid";

/** Whether a record is live at `now` (every deadline is exclusive). */
export const isLive = (rec: StoredSession | null | undefined, now: number): rec is StoredSession =>
  rec !== null && rec !== undefined && now < rec.idleExpiresAt;

/**
 * Judges a secret's hash against a record: the current secret, the newest retired one inside its
 * grace window, another remembered one (reuse), or nothing known. A dead record or one of another
 * kind is `invalid`.
 */
export function judge(
  rec: StoredSession | null | undefined,
  hash: string,
  now: number,
  kind: SessionKind | undefined,
): Verdict {
  if (!isLive(rec, now) || (kind !== undefined && rec.kind !== kind)) return "invalid";
  if (constantTimeEqual(hash, rec.secretHash)) return "ok";
  const last = rec.retired.length - 1;
  if (last >= 0 && now < rec.graceUntil && constantTimeEqual(hash, rec.retired[last]!)) {
    return "grace";
  }
  return rec.retired.some((old) => constantTimeEqual(hash, old)) ? "reused" : "invalid";
}

/** Whether a validation at `now` slides the idle expiry. */
export const slides = (rec: StoredSession, now: number, threshold: number): boolean =>
  rec.idleExpiresAt - now < threshold * rec.idleTtlMs;

/** The record slid at `now` (never past its absolute lifetime). */
export const slid = (rec: StoredSession, now: number): StoredSession => ({
  ...rec,
  lastActiveAt: now,
  idleExpiresAt: Math.min(now + rec.idleTtlMs, rec.absoluteExpiresAt),
});

/** The record after a rotation at `now` to a new secret, and the credential to hand out. */
export function rotated(
  rec: StoredSession,
  now: number,
  random: RandomSource,
  graceMs: number,
  reauthenticate: boolean,
): { rec: StoredSession; credential: string } {
  const secret = generateSecret(random);
  return {
    rec: {
      ...slid(rec, now),
      rotatedAt: now,
      authenticatedAt: reauthenticate && rec.userId !== null ? now : rec.authenticatedAt,
      secretHash: hashSecret(secret),
      retired: [...rec.retired, rec.secretHash].slice(-RETIRED_SECRETS_KEPT),
      graceUntil: now + graceMs,
    },
    credential: formatCredential(rec.id, secret),
  };
}

/** A new record for checked create options, and its credential. */
export function opened(
  id: string,
  o: CheckedCreate,
  dataJson: string,
  device: DeviceInfo,
  now: number,
  random: RandomSource,
): { rec: StoredSession; credential: string } {
  const secret = generateSecret(random);
  return {
    rec: {
      id,
      userId: o.userId,
      kind: o.kind,
      dataJson,
      version: 1,
      device,
      createdAt: now,
      lastActiveAt: now,
      idleExpiresAt: now + o.idleTtlMs,
      absoluteExpiresAt: now + o.absoluteTtlMs,
      idleTtlMs: o.idleTtlMs,
      rotatedAt: now,
      authenticatedAt: o.userId === null ? null : now,
      secretHash: hashSecret(secret),
      retired: [],
      graceUntil: 0,
    },
    credential: formatCredential(id, secret),
  };
}

/** How many of a user's live sessions (oldest login first) a login must evict; -1: refused. */
export function excessAt(liveCount: number, o: CheckedCreate): number {
  const excess = liveCount - o.limit + 1;
  if (excess > 0 && o.onLimit === "reject") return -1;
  return Math.max(0, excess);
}

/** The public view of a record (fresh objects: callers may keep it). */
export function view(rec: StoredSession): Session {
  return {
    id: rec.id,
    userId: rec.userId,
    kind: rec.kind,
    data: JSON.parse(rec.dataJson) as JsonObject,
    version: rec.version,
    device: { ...rec.device },
    createdAt: rec.createdAt,
    lastActiveAt: rec.lastActiveAt,
    idleExpiresAt: rec.idleExpiresAt,
    absoluteExpiresAt: rec.absoluteExpiresAt,
    idleTtlMs: rec.idleTtlMs,
    rotatedAt: rec.rotatedAt,
    authenticatedAt: rec.authenticatedAt,
  };
}
