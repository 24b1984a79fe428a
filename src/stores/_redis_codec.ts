// Private: RedisStore's key layout and the decoding of script replies into sessions.
//
// Session id = <tag: 11 base64url chars, 64 bits><rest: 22 base64url chars, 128 random bits>. The
// tag routes: every key of the sessions of one user (or of one anonymous session) lives under
// `{tag}`, one hash slot. A user's tag is a keyed hash of the user id (_redis_routing.ts), an
// anonymous session's tag is random. Keys (P = prefix):
//   P{tag}:s:<rest>      the session record (string)
//   P{tag}:i             the user's index: sorted set of <rest>, score = login sequence
//   P{tag}:x             the same members, score = idle expiry: the limit and the dead are
//                        answered from the two sets, without reading a session
//   P{tag}:c:<rest>      claim of an anonymous session by an attach in flight (short TTL)
//   P{tag}:o:<opid>      the first reply of a write whose re-run could answer otherwise (short
//                        TTL): a command resent after its reply was lost answers the same;
//                        the sweep removes these too
//   P{tag}:r:<sid>       token revocations of session <sid>: hash of j:<jti> → until, ib/cu cutoff
//   P{u.<H>}             user token cutoff, H = SHA-256(userId): hash ib/cu. (Older layouts also
//                        kept a random tag t, ae, and a "login in flight" marker P{u.<H>}:p; the
//                        sweep still reads and removes those.)

import { hashSecret } from "../core/credential.ts";
import type { BindFacts, DeviceInfo, JsonObject, Session, SessionKind } from "../model/store.ts";

/** Characters of the routing tag. */
export const TAG_LENGTH = 11;
/** Random bytes of the routing tag (64 bits). */
export const TAG_BYTES = 8;
/** Random bytes after the tag (128 bits). */
export const REST_BYTES = 16;
/** Length of the session ids this store issues. */
export const SESSION_ID_LENGTH = 33;
/** Fields of a session view in a reply. */
export const VIEW_FIELDS = 11;

/** The record letter of a session kind (`''` = any kind, for a script's kind argument). */
export const kindLetter = (kind: SessionKind | undefined): string =>
  kind === undefined ? "" : kind === "refresh" ? "R" : "S";

const kindOf = (letter: unknown): SessionKind | null =>
  letter === "S" ? "cookie" : letter === "R" ? "refresh" : null;

/**
 * Script arguments of bound request facts: per fact (userAgent, then ip) a needle — `''` when the
 * fact is not bound, else the field's key as it appears in the stored device JSON — and the
 * wanted value as JSON text (`''` when the request had none). The device JSON is always written by
 * `JSON.stringify`, so an equal value has equal text, and a quoted key followed by `:` can only
 * be a key (a quote inside a JSON string is escaped).
 */
export function bindArgs(bind: BindFacts | undefined): string[] {
  const out: string[] = [];
  for (const key of ["userAgent", "ip"] as const) {
    const want = bind?.[key];
    if (want === undefined) out.push("", "");
    else out.push(`"${key}":`, want === null ? "" : JSON.stringify(want));
  }
  return out;
}

/** The keys of one session. */
export interface SessionKeys {
  readonly tag: string;
  readonly rest: string;
  /** `P{tag}:` */
  readonly base: string;
  readonly session: string;
  readonly index: string;
  /** Claim of an anonymous session by an attach in flight. */
  readonly claim: string;
}

/** Keys of a session id this store may have issued, or `null` when it cannot be one. */
export function sessionKeys(prefix: string, sessionId: string): SessionKeys | null {
  if (sessionId.length !== SESSION_ID_LENGTH) return null;
  const tag = sessionId.slice(0, TAG_LENGTH);
  const rest = sessionId.slice(TAG_LENGTH);
  const base = `${prefix}{${tag}}:`;
  return {
    tag,
    rest,
    base,
    session: `${base}s:${rest}`,
    index: `${base}i`,
    claim: `${base}c:${rest}`,
  };
}

/** The base of a tag's keys. */
export const tagBase = (prefix: string, tag: string): string => `${prefix}{${tag}}:`;

/** The revocation hash of any session id (its first 11 characters route it). */
export const revocationKey = (prefix: string, sessionId: string): string =>
  `${tagBase(prefix, sessionId.slice(0, TAG_LENGTH))}r:${sessionId}`;

/** The mapping key and login marker of a user. */
export function userKeys(prefix: string, userId: string): { map: string; marker: string } {
  const map = `${prefix}{u.${hashSecret(userId)}}`;
  return { map, marker: `${map}:p` };
}

/** What a key under the prefix is, for the sweep. */
export type KeyKind =
  | { kind: "session"; tag: string; rest: string }
  | { kind: "index"; tag: string }
  | { kind: "revocations" }
  | { kind: "replay" }
  | { kind: "mapping"; marker: string }
  | { kind: "other" };

const TAGGED =
  /^\{([A-Za-z0-9_-]{1,11})\}:(?:s:([A-Za-z0-9_-]{22})|(i)|(r):[A-Za-z0-9_-]{1,64}|(o):[\w.-]{1,80})$/;
const MAPPING = /^\{u\.[A-Za-z0-9_-]{43}\}(:p)?$/;

/** Classifies a key found by SCAN under the prefix. */
export function classify(prefix: string, key: string): KeyKind {
  if (!key.startsWith(prefix)) return { kind: "other" };
  const local = key.slice(prefix.length);
  const tagged = TAGGED.exec(local);
  if (tagged) {
    const tag = tagged[1]!;
    if (tagged[2] !== undefined && tag.length === TAG_LENGTH) {
      return { kind: "session", tag, rest: tagged[2] };
    }
    if (tagged[3] !== undefined && tag.length === TAG_LENGTH) return { kind: "index", tag };
    if (tagged[4] !== undefined) return { kind: "revocations" };
    if (tagged[5] !== undefined) return { kind: "replay" };
    return { kind: "other" };
  }
  const mapping = MAPPING.exec(local);
  if (mapping && mapping[1] === undefined) return { kind: "mapping", marker: `${key}:p` };
  return { kind: "other" };
}

/** Escapes a prefix for SCAN's glob MATCH. */
export const globEscape = (text: string): string => text.replace(/[*?[\]\\]/g, "\\$&");

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

function parseDevice(json: string): DeviceInfo | null {
  const value: unknown = JSON.parse(json);
  if (!isPlainObject(value)) return null;
  const device: { userAgent?: string; ip?: string; label?: string } = {};
  for (const key of Object.keys(value)) {
    const field = value[key];
    if ((key !== "userAgent" && key !== "ip" && key !== "label") || typeof field !== "string") {
      return null;
    }
    device[key] = field;
  }
  return device;
}

const int = (value: unknown): number | null => {
  if (typeof value !== "string" || !/^-?\d{1,16}$/.test(value)) return null;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : null;
};

function build(
  id: string,
  kind: SessionKind | null,
  u: string,
  d: string,
  dv: string,
  numbers: readonly number[],
): Session | null {
  if (kind === null) return null;
  let data: unknown;
  let device: DeviceInfo | null;
  try {
    data = JSON.parse(d);
    device = parseDevice(dv);
  } catch {
    return null;
  }
  if (!isPlainObject(data) || device === null) return null;
  return {
    id,
    userId: u === "" ? null : u,
    kind,
    data: data as JsonObject,
    version: numbers[0]!,
    device,
    createdAt: numbers[1]!,
    lastActiveAt: numbers[2]!,
    idleExpiresAt: numbers[3]!,
    absoluteExpiresAt: numbers[4]!,
    idleTtlMs: numbers[5]!,
    rotatedAt: numbers[6]!,
  };
}

/**
 * Decodes the 11 view fields at `offset` of a reply into a session, or `null` when they are not
 * what the store wrote (the caller reports and purges).
 */
export function decodeSession(
  id: string,
  reply: readonly unknown[],
  offset: number,
): Session | null {
  const f = reply.slice(offset, offset + VIEW_FIELDS);
  const [u, d, , dv] = f;
  if (f.length !== VIEW_FIELDS || typeof u !== "string" || typeof d !== "string") return null;
  if (typeof dv !== "string") return null;
  const numbers: number[] = [];
  for (const text of [f[2], f[4], f[5], f[6], f[7], f[8], f[9]]) {
    const n = int(text);
    if (n === null) return null;
    numbers.push(n);
  }
  return build(id, kindOf(f[10]), u, d, dv, numbers);
}

/**
 * The index in `text` after `bytes` bytes of UTF-8 from `from`, or -1 when that is not a character
 * boundary within the text. Lengths in a record are in bytes (Lua's `#`); the reply arrives as
 * UTF-16 text, decoded from well-formed UTF-8.
 */
function skipUtf8(text: string, from: number, bytes: number): number {
  let i = from;
  let n = 0;
  while (n < bytes) {
    if (i >= text.length) return -1;
    const c = text.charCodeAt(i++);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i < text.length) {
      const low = text.charCodeAt(i);
      if (low >= 0xdc00 && low < 0xe000) {
        i++;
        n += 4;
      } else n += 3;
    } else n += 3;
  }
  return n === bytes ? i : -1;
}

const N = "(-?\\d{1,16})\\|";
const RECORD_HEAD = new RegExp(
  `^[SR]1\\|${N.repeat(7)}-?\\d+\\|([\\w-]+)\\|[\\w,-]*\\|(\\d{1,9})\\|(\\d{1,9})\\|`,
);

/** Bytes of `text` in UTF-8 (a lone surrogate counts 3: it is sent as U+FFFD). */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low < 0xe000) {
        i++;
        n += 4;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

/** The fields of a new session's record. */
export interface NewRecord {
  readonly now: number;
  readonly idleExpiresAt: number;
  readonly absoluteExpiresAt: number;
  readonly idleTtlMs: number;
  readonly kind: SessionKind;
  readonly hash: string;
  /** `""` for an anonymous session. */
  readonly userId: string;
  readonly deviceJson: string;
  readonly dataJson: string;
}

/**
 * Encodes a new session's record exactly as the scripts write and parse it (version 1, no retired
 * hashes, no grace): see {@linkcode decodeStored} for the format. Integers print as `%.0f` does.
 */
export function encodeNewRecord(r: NewRecord): string {
  const now = String(r.now);
  return `${
    kindLetter(r.kind)
  }1|1|${now}|${now}|${r.idleExpiresAt}|${r.absoluteExpiresAt}|${r.idleTtlMs}|${now}|0|${r.hash}||${
    utf8Length(r.userId)
  }|${utf8Length(r.deviceJson)}|${r.userId}${r.deviceJson}${r.dataJson}`;
}

/** A session record as stored, decoded: the session and the hash of its current secret. */
export interface DecodedRecord {
  readonly session: Session;
  /** SHA-256 (base64url) of the current secret. */
  readonly hash: string;
}

/**
 * Decodes a session record as stored (what GET and the validate script answer),
 * `K1|version|createdAt|lastActiveAt|idleExpiresAt|absoluteExpiresAt|idleTtl|rotatedAt|graceUntil|
 * hash|retired,hashes|userIdBytes|deviceBytes|<userId><deviceJson><dataJson>` (K = `S` cookie
 * session, `R` refresh family), or `null` when it is
 * not what the store wrote (the caller reports and purges, or lets a script do it). One regular
 * expression over the head, two `JSON.parse` (device, data).
 */
export function decodeStored(id: string, record: unknown): DecodedRecord | null {
  if (typeof record !== "string") return null;
  const head = RECORD_HEAD.exec(record);
  if (head === null) return null;
  const numbers: number[] = [];
  for (let i = 1; i <= 7; i++) {
    const n = Number(head[i]);
    if (!Number.isSafeInteger(n)) return null;
    numbers.push(n);
  }
  const at = head[0].length;
  const userEnd = skipUtf8(record, at, Number(head[9]));
  const deviceEnd = userEnd < 0 ? -1 : skipUtf8(record, userEnd, Number(head[10]));
  if (deviceEnd < 0) return null;
  const session = build(
    id,
    kindOf(record[0]),
    record.slice(at, userEnd),
    record.slice(deviceEnd),
    record.slice(userEnd, deviceEnd),
    numbers,
  );
  return session === null ? null : { session, hash: head[8]! };
}

/** The session of a stored record (see {@linkcode decodeStored}), or `null`. */
export function decodeRecord(id: string, record: unknown): Session | null {
  return decodeStored(id, record)?.session ?? null;
}
