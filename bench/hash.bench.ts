// Hashing a 43-byte secret at rest: Web Crypto's async digest vs the synchronous SHA-256 that
// credential.ts uses vs @noble/hashes. `deno bench --allow-all bench/hash.bench.ts`
import { sha256 as noble } from "@noble/hashes/sha2.js";
import { generateSecret, hashSecret, webCryptoRandom } from "../mod.ts";
import { sha256, sha256ShortAscii } from "../src/core/_sha256.ts";
import { bench } from "./_bench.ts";

const secret = generateSecret(webCryptoRandom);
const bytes = new TextEncoder().encode(secret);
const group = "sha256 of a 43-byte secret";

bench("Web Crypto subtle.digest (async)", async () => {
  await crypto.subtle.digest("SHA-256", bytes);
}, { group, baseline: true });
bench(
  "sessionkit sha256, one-block ASCII fast path (no encoding)",
  () => sha256ShortAscii(secret),
  {
    group,
  },
);
bench("sessionkit sha256, general path (bytes)", () => sha256(bytes), { group });
bench("@noble/hashes sha256", () => noble(bytes), { group });
bench("hashSecret (encode + sha256 + base64url)", () => hashSecret(secret), { group });
