// Private: the routing tag of a user, computed without a lookup. Every key of a user's sessions
// lives under `{tag}` (one hash slot), so a login, a list or a destroy-all is one round trip.
//
// tag = base64url(first 8 bytes of HMAC-SHA-256(routing key, userId)): 11 characters, 64 bits.
// Every process must compute the same tag for a user, so the key is configuration
// (`RedisStoreOptions.routingKey`), never random per process. Without one, the key is derived from
// the prefix: the same everywhere with no setup, and the user id is not in the key name, but anyone
// who can guess a user id can compute its tag. A secret routing key (16+ random bytes, the same in
// every process) makes tags unlinkable to user ids. Session records hold the user id anyway (list
// needs it): the tag keeps it out of key names (SCAN output, slow logs, monitoring), not out of Redis.

import { encodeBase64url } from "../core/_base64url.ts";
import { hmacSha256 } from "../core/_hmac.ts";
import { sha256 } from "../core/_sha256.ts";
import { losslessBytes } from "./_redis_key_text.ts";

const encoder = new TextEncoder();

/** The routing key: the configured one, or one derived from the prefix. */
export function routingKey(prefix: string, configured: Uint8Array | undefined): Uint8Array {
  if (configured !== undefined) return configured.slice();
  return sha256(encoder.encode(`sessionkit/redis routing tag v1\u0000${prefix}`));
}

/**
 * The routing tag of a user under a routing key: 11 base64url characters. The user id is hashed
 * losslessly (see _redis_key_text.ts): ids that differ only in a lone surrogate get their own tags.
 */
export function userTag(key: Uint8Array, userId: string): string {
  return encodeBase64url(hmacSha256(key, losslessBytes(userId)).subarray(0, 8));
}
