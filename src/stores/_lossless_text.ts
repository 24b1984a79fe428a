// Private: caller text (user ids, jti values, key prefixes) as SQLiteStore and DenoKvStore store
// it. SQLite TEXT and Deno KV string key parts are UTF-8, which has no form for a lone UTF-16
// surrogate: "\ud83d", "\ude00" and "\ufffd" would all be stored as U+FFFD, so two user ids (or two
// jti values) would share rows or keys, and a user id would read back changed. The encoding:
//   - well-formed text that does not start with U+0001 is stored as itself (values written by
//     earlier versions stay valid, and well-formed text keeps its order and its bytes);
//   - any other text is stored as U+0001 followed by its JSON text. JSON text escapes a lone
//     surrogate as \uXXXX, so it is well-formed; it differs for every string; and the marker keeps
//     it apart from every text of the first kind (none of which starts with U+0001).
// So `decodeText(encodeText(s)) === s` for every string, and `encodeText` is injective.

import { isWellFormed } from "./_redis_key_text.ts";

const MARK = "\u0001";

/** `text` in a form UTF-8 storage keeps exactly (see above). */
export function encodeText(text: string): string {
  return isWellFormed(text) && !text.startsWith(MARK) ? text : MARK + JSON.stringify(text);
}

/**
 * The text that {@linkcode encodeText} stored as `stored`. A value it cannot have written (one an
 * earlier version stored as itself, starting with U+0001) reads back as itself.
 */
export function decodeText(stored: string): string {
  if (!stored.startsWith(MARK)) return stored;
  let text: unknown;
  try {
    text = JSON.parse(stored.slice(MARK.length));
  } catch {
    return stored;
  }
  return typeof text === "string" && encodeText(text) === stored ? text : stored;
}
