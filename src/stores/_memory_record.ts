// MemoryStore's session record: one flat string per session, the only per-session object the
// store keeps besides its index entries. A validation at a million sessions then touches the
// Map's bucket and entry and this one string, instead of a record object, its boxed numbers,
// and five or six strings and objects spread over the heap (docs/performance.md, issue 11).
//
// Layout (char codes 0–255 except inside the strings themselves):
//   [0, 72)   nine float64, little or big endian as the platform stores them: idleExpiresAt,
//             absoluteExpiresAt, lastActiveAt, createdAt, rotatedAt, graceUntil, idleTtlMs, version,
//             authenticatedAt (NaN: null)
//   72        kind: 0 cookie, 1 refresh
//   73        n: how many retired secret hashes follow the current one
//   74        the current secret hash (43 base64url chars), then n retired ones, oldest first
//   then      id and userId, each a 2-char length + 1 (0: null) and the characters; the number
//             of device fields; each device field as its index in DEVICE_FIELDS and its value
//   the rest  the data JSON
// Records are decoded into a plain `Rec` per read and re-encoded after every write.

import type { DeviceInfo, SessionKind } from "../model/store.ts";

/** A decoded session record (a fresh object per read: mutate it, then encode it back). */
export interface Rec {
  /** The stored string this record was decoded from (none for a new one). */
  readonly blob?: string;
  /** The store's index key of `id` (see {@linkcode sessionKey}). */
  key: number;
  id: string;
  userId: string | null;
  kind: SessionKind;
  dataJson: string;
  version: number;
  device: DeviceInfo;
  createdAt: number;
  lastActiveAt: number;
  idleExpiresAt: number;
  absoluteExpiresAt: number;
  idleTtlMs: number;
  rotatedAt: number;
  authenticatedAt: number | null;
  secretHash: string;
  /** Hashes of rotated-away secrets, oldest first. */
  retired: string[];
  graceUntil: number;
}

/** The fields of a {@linkcode DeviceInfo}, by their index in a record. */
const DEVICE_FIELDS = ["userAgent", "ip", "label"] as const;
type DeviceField = typeof DEVICE_FIELDS[number];

/** Length of a secret hash (`hashSecret`: 32 bytes, base64url). */
const HASH = 43;

/** Chars taken by the numbers. */
const NUMBERS = 72;
const numbers = new Float64Array(NUMBERS / 8);
/** Where the current secret hash starts. */
const HASHES = NUMBERS + 2;

const bytes = new Uint8Array(numbers.buffer);
/** The bytes as a plain array (`fromCharCode.apply` reads it faster than a typed array). */
const codes: number[] = Array.from(bytes);
/** Read position of {@linkcode readField} (decoding is synchronous). */
let cursor = 0;

/**
 * The index key of a session id: a 30-bit hash, so the index is a `Map` with small-integer keys
 * (no key string to compare on a lookup). The store draws ids until the key is free, so keys of
 * live sessions are unique; a read still compares the full id, so an unknown id whose key is taken
 * finds nothing.
 */
export function sessionKey(id: string): number {
  let h = 0;
  for (let i = 0; i !== id.length; i++) h = (Math.imul(h, 31) + id.charCodeAt(i)) | 0;
  return h >>> 2;
}

const field = (value: string | null): string => {
  const size = value === null ? 0 : value.length + 1;
  return String.fromCharCode(size >> 8, size & 255) + (value ?? "");
};

function readField(blob: string): string | undefined {
  const size = (blob.charCodeAt(cursor) << 8) | blob.charCodeAt(cursor + 1);
  cursor += 2;
  if (size === 0) return undefined;
  return blob.slice(cursor, cursor += size - 1);
}

/**
 * Encodes a record into one flat string (`join` builds a sequential string, not a rope).
 */
export function encodeRecord(rec: Rec): string {
  const parts = [
    numberChars(rec),
    String.fromCharCode(rec.kind === "refresh" ? 1 : 0, rec.retired.length),
    rec.secretHash,
    ...rec.retired,
    field(rec.id),
    field(rec.userId),
  ];
  const names = Object.keys(rec.device) as DeviceField[];
  parts.push(String.fromCharCode(names.length));
  for (const name of names) {
    parts.push(String.fromCharCode(DEVICE_FIELDS.indexOf(name)), field(rec.device[name]!));
  }
  parts.push(rec.dataJson);
  return parts.join("");
}

/**
 * The record after a change of its numbers only (a slide): the numbers are encoded again, the
 * rest is copied from `rec.blob`. A third of the cost of {@linkcode encodeRecord}.
 */
export function renumberRecord(rec: Rec): string {
  return [numberChars(rec), rec.blob!.slice(NUMBERS)].join("");
}

function numberChars(rec: Rec): string {
  numbers[0] = rec.idleExpiresAt;
  numbers[1] = rec.absoluteExpiresAt;
  numbers[2] = rec.lastActiveAt;
  numbers[3] = rec.createdAt;
  numbers[4] = rec.rotatedAt;
  numbers[5] = rec.graceUntil;
  numbers[6] = rec.idleTtlMs;
  numbers[7] = rec.version;
  numbers[8] = rec.authenticatedAt ?? NaN;
  for (let i = 0; i !== NUMBERS; i++) codes[i] = bytes[i]!;
  return String.fromCharCode.apply(null, codes);
}

/** The record's `idleExpiresAt` alone (the sweep reads only this). */
export function recordExpiry(blob: string): number {
  for (let i = 0; i !== 8; i++) bytes[i] = blob.charCodeAt(i);
  return numbers[0]!;
}

/**
 * Decodes a record stored under `key`.
 */
export function decodeRecord(key: number, blob: string): Rec {
  const idleExpiresAt = recordExpiry(blob);
  for (let i = 8; i !== NUMBERS; i++) bytes[i] = blob.charCodeAt(i);
  const retired: string[] = [];
  cursor = HASHES + HASH;
  for (let n = blob.charCodeAt(NUMBERS + 1); n !== 0; n--) {
    retired.push(blob.slice(cursor, cursor += HASH));
  }
  const id = readField(blob)!;
  const userId = readField(blob) ?? null;
  const device: { [name in DeviceField]?: string } = {};
  for (let n = blob.charCodeAt(cursor++); n !== 0; n--) {
    device[DEVICE_FIELDS[blob.charCodeAt(cursor++)]!] = readField(blob)!;
  }
  return {
    blob,
    key,
    id,
    userId,
    kind: blob.charCodeAt(NUMBERS) === 1 ? "refresh" : "cookie",
    dataJson: blob.slice(cursor),
    version: numbers[7]!,
    device,
    createdAt: numbers[3]!,
    lastActiveAt: numbers[2]!,
    idleExpiresAt,
    absoluteExpiresAt: numbers[1]!,
    idleTtlMs: numbers[6]!,
    rotatedAt: numbers[4]!,
    authenticatedAt: Number.isNaN(numbers[8]!) ? null : numbers[8]!,
    secretHash: blob.slice(HASHES, HASHES + HASH),
    retired,
    graceUntil: numbers[5]!,
  };
}
