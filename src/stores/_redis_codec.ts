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
//   P{tag}:r:<sid>       token revocations of session <sid>: hash of j:<jti> → until (w:<JSON
//                        text> for a jti with a lone surrogate, see _redis_key_text.ts), ib/cu cutoff
//   P{u.<H>}             user token cutoff, H = SHA-256(userId): hash ib/cu. (Older layouts also
//                        kept a random tag t, ae, and a "login in flight" marker P{u.<H>}:p; the
//                        sweep still reads and removes those.)

import { encodeBase64url } from "../core/_base64url.ts";
import { sha256 } from "../core/_sha256.ts";
import { losslessBytes } from "./_redis_key_text.ts";
import type { BindFacts, DeviceInfo, JsonObject, Session, SessionKind } from "../model/store.ts";

/** Characters of the routing tag. */
export const TAG_LENGTH = 11;
/** Random bytes of the routing tag (64 bits). */
export const TAG_BYTES = 8;
/** Random bytes after the tag (128 bits). */
export const REST_BYTES = 16;
/** Characters after the tag (base64url of REST_BYTES). */
export const REST_LENGTH = 22;
/** Characters of a secret's hash (base64url SHA-256). */
export const HASH_LENGTH = 43;
/** Length of the session ids this store issues. */
export const SESSION_ID_LENGTH = 33;

/** The record letter of a session kind (`''` = any kind, for a script's kind argument). */
export const kindLetter = (kind: SessionKind | undefined): string =>
  kind === undefined ? "" : kind === "refresh" ? "R" : "S";

/** The script arguments of bound request facts (see {@linkcode bindFields}). */
export interface BindFields {
  readonly agentNeedle: string;
  readonly agentWant: string;
  readonly ipNeedle: string;
  readonly ipWant: string;
}

/**
 * Script arguments of bound request facts: per fact (userAgent, ip) a needle — `''` when the
 * fact is not bound, else the field's key as it appears in the stored device JSON — and the
 * wanted value as JSON text (`''` when the request had none). The device JSON is always written by
 * `JSON.stringify`, so an equal value has equal text, and a quoted key followed by `:` can only
 * be a key (a quote inside a JSON string is escaped).
 */
export function bindFields(bind: BindFacts | undefined): BindFields {
  const pair = (key: "userAgent" | "ip"): [string, string] => {
    const want = bind?.[key];
    if (want === undefined) return ["", ""];
    return [`"${key}":`, want === null ? "" : JSON.stringify(want)];
  };
  const [agentNeedle, agentWant] = pair("userAgent");
  const [ipNeedle, ipWant] = pair("ip");
  return { agentNeedle, agentWant, ipNeedle, ipWant };
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

/**
 * The mapping key and login marker of a user. H = base64url(SHA-256(the user id's lossless bytes,
 * see _redis_key_text.ts)): for a well-formed id the SHA-256 of its UTF-8, as earlier versions.
 */
export function userKeys(prefix: string, userId: string): { map: string; marker: string } {
  const map = `${prefix}{u.${encodeBase64url(sha256(losslessBytes(userId)))}}`;
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

/** The device of a decoded record: only the known string fields, else `null`. */
function checkDevice(value: unknown): DeviceInfo | null {
  if (!isPlainObject(value)) return null;
  for (const key in value) {
    if (
      (key !== "userAgent" && key !== "ip" && key !== "label") || typeof value[key] !== "string"
    ) {
      return null;
    }
  }
  return value as DeviceInfo;
}

/** Bytes of `text` in UTF-8 (a lone surrogate counts 3: it is sent as U+FFFD). */
export function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low < 0xe000) {
        i++;
        n += 2; // 4 bytes for 2 UTF-16 units
      } else n += 2;
    } else n += 2;
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
  const user = JSON.stringify(r.userId);
  return `["${
    kindLetter(r.kind)
  }3",1,${now},${now},${r.idleExpiresAt},${r.absoluteExpiresAt},${r.idleTtlMs},${now},0,${
    r.userId === "" ? -1 : now
  },"${r.hash}","",${utf8Length(user)},${
    utf8Length(r.deviceJson)
  },${user},${r.deviceJson},${r.dataJson}]`;
}

/** A session record as stored, decoded: the session and the hash of its current secret. */
export interface DecodedRecord {
  readonly session: Session;
  /** SHA-256 (base64url) of the current secret. */
  readonly hash: string;
}

/** Fields of a record: the version tag, 9 numbers, 2 hash fields, 2 lengths, user, device, data. */
const RECORD_FIELDS = 17;

/**
 * Decodes a session record as stored (what GET and the scripts answer): one JSON array,
 * `["K3",version,createdAt,lastActiveAt,idleExpiresAt,absoluteExpiresAt,idleTtl,rotatedAt,
 * graceUntil,authenticatedAt,"hash","retired,hashes",userBytes,deviceBytes,"userId",{device},{data}]` (K = `S`
 * cookie session, `R` refresh family; the two byte lengths, of the user id's JSON text and of the
 * device JSON, are for the Lua scripts, which cut the record by them without parsing JSON), or
 * `null` when it is not what the store wrote (the caller reports and purges, or lets a script do
 * it). One `JSON.parse`, no copy of the text.
 */
export function decodeStored(id: string, record: unknown): DecodedRecord | null {
  if (typeof record !== "string") return null;
  let a: unknown;
  try {
    a = JSON.parse(record);
  } catch {
    return null;
  }
  if (!Array.isArray(a) || a.length !== RECORD_FIELDS) return null;
  const tag = a[0];
  const kind: SessionKind | null = tag === "S3" ? "cookie" : tag === "R3" ? "refresh" : null;
  if (kind === null) return null;
  for (let i = 1; i <= 9; i++) if (!Number.isSafeInteger(a[i])) return null;
  const [
    ,
    version,
    createdAt,
    lastActiveAt,
    idleExpiresAt,
    absoluteExpiresAt,
    idleTtlMs,
    rotatedAt,
    ,
    authenticatedAt,
  ] = a as number[];
  const hash = a[10];
  const user = a[14];
  const device = checkDevice(a[15]);
  const data = a[16];
  if (typeof hash !== "string" || typeof a[11] !== "string" || typeof user !== "string") {
    return null;
  }
  if (device === null || !isPlainObject(data)) return null;
  const session: Session = {
    id,
    userId: user === "" ? null : user,
    kind,
    data: data as JsonObject,
    version: version!,
    device,
    createdAt: createdAt!,
    lastActiveAt: lastActiveAt!,
    idleExpiresAt: idleExpiresAt!,
    absoluteExpiresAt: absoluteExpiresAt!,
    idleTtlMs: idleTtlMs!,
    rotatedAt: rotatedAt!,
    authenticatedAt: user === "" ? null : authenticatedAt!,
  };
  return { session, hash };
}

/** The session of a stored record (see {@linkcode decodeStored}), or `null`. */
export function decodeRecord(id: string, record: unknown): Session | null {
  return decodeStored(id, record)?.session ?? null;
}

/** The user id a script answered as its JSON text (`""` for an anonymous session), or `null`. */
export function userOf(text: unknown): string | null {
  if (typeof text !== "string" || text.length < 3) return null;
  try {
    const user: unknown = JSON.parse(text);
    return typeof user === "string" && user !== "" ? user : null;
  } catch {
    return null;
  }
}
