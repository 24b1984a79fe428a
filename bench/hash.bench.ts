// Hashing a 43-byte secret at rest: Web Crypto's async digest vs the synchronous SHA-256 that
// credential.ts uses vs @noble/hashes. `deno bench --allow-all bench/hash.bench.ts`
import { sha256 as noble } from "@noble/hashes/sha2.js";
import { webCryptoRandom } from "../mod.ts";
import { generateSecret, hashSecret } from "../src/stores/store.ts";
import { sha256, sha256ShortAscii } from "../src/core/_sha256.ts";
import { bench } from "./_bench.ts";

const secret = generateSecret(webCryptoRandom);
const bytes = new TextEncoder().encode(secret);
const group = "SHA-256 of a 43-character secret";

bench("Web Crypto crypto.subtle.digest (built in, async)", async () => {
  await crypto.subtle.digest("SHA-256", bytes);
}, { group, baseline: true });
bench(
  "sessionkit sha256 of a short ASCII string (no text encoding)",
  () => sha256ShortAscii(secret),
  {
    group,
  },
);
bench("sessionkit sha256 of bytes (any length)", () => sha256(bytes), { group });
bench("npm @noble/hashes sha256 of bytes", () => noble(bytes), { group });
bench("sessionkit hashSecret (sha256, then base64url text)", () => hashSecret(secret), { group });
