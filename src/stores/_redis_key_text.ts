// Private: text that RedisStore puts into key names and hash fields, encoded losslessly. Clients
// send strings to Redis as UTF-8, which has no form for a lone UTF-16 surrogate: "\ud83d",
// "\ude00" and "\ufffd" would all reach Redis as the same bytes (U+FFFD), so two user ids (or two
// jti values) would share a key. Well-formed text keeps its UTF-8 bytes (so keys written by
// earlier versions stay where they are); text with a lone surrogate gets a form of its own:
//   - user ids are only hashed (routing tag, user hash): hashed as WTF-8 bytes, which are UTF-8
//     for well-formed text and, for a lone surrogate, the 3-byte sequence UTF-8 reserves and never
//     produces (ED A0 80 … ED BF BF), so no two strings share bytes;
//   - a jti is a hash field: `j:<jti>` when well-formed, else `w:<JSON text of the jti>` (JSON text
//     escapes a lone surrogate as \uXXXX, so it is well-formed and differs for every jti).
// A prefix with a lone surrogate is refused (RedisStore's constructor).

const encoder = new TextEncoder();
const SURROGATE = /[\ud800-\udfff]/;

/** Whether `text` has no lone surrogate (what UTF-8 carries unchanged). */
export function isWellFormed(text: string): boolean {
  if (!SURROGATE.test(text)) return true;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    const next = text.charCodeAt(i + 1);
    if (c >= 0xdc00 || !(next >= 0xdc00 && next <= 0xdfff)) return false;
    i++;
  }
  return true;
}

/** The WTF-8 bytes of `text`: its UTF-8 when well-formed, a lone surrogate as 3 bytes. */
export function losslessBytes(text: string): Uint8Array {
  if (isWellFormed(text)) return encoder.encode(text);
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    const next = text.charCodeAt(i + 1);
    if (c >= 0xd800 && c < 0xdc00 && next >= 0xdc00 && next <= 0xdfff) {
      c = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
      i++;
    }
    if (c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
    else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    else {
      out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
    }
  }
  return Uint8Array.from(out);
}

/** The hash field of a revoked jti (see above); `""` for none. */
export function jtiField(jti: string): string {
  if (jti === "") return "";
  return isWellFormed(jti) ? `j:${jti}` : `w:${JSON.stringify(jti)}`;
}
