// Access-token verification: sessionkit's verifyAccessToken (cold, no cache) and its verified-token
// cache, against jose's jwtVerify called directly with an imported CryptoKey (the baseline).
//
//   npx deno bench --allow-all bench/jwt.bench.ts
//   under Node, through any TypeScript runner, the shim prints ops/s and ratios instead

import { jwtVerify } from "jose";
import { bench } from "./_bench.ts";
import { AccessTokenKey } from "../src/tokens/keys.ts";
import { AccessTokenKeySet } from "../src/tokens/key_set.ts";
import { signAccessToken, verifyAccessToken } from "../src/tokens/access_token.ts";
import { AccessTokenCache } from "../src/tokens/cache.ts";

const secret = crypto.getRandomValues(new Uint8Array(32));

for (const algorithm of ["HS256", "EdDSA"] as const) {
  const key = algorithm === "HS256"
    ? await AccessTokenKey.import({ kid: "k1", secret })
    : await AccessTokenKey.generate("k1", { algorithm });
  const keys = new AccessTokenKeySet(key);
  const { token } = await signAccessToken(keys, { sub: "user-42", sid: "s1", role: "member" });
  const cache = new AccessTokenCache();
  await cache.verify(token, keys);
  const group = `verify an ${algorithm} access token`;

  bench(`${algorithm}: npm jose jwtVerify with an imported key`, async () => {
    await jwtVerify(token, key.verificationKey, {
      algorithms: [algorithm],
      currentDate: new Date(),
    });
  }, { group, baseline: true });

  bench(`${algorithm}: sessionkit verifyAccessToken (no cache)`, async () => {
    await verifyAccessToken(token, keys);
  }, { group });

  bench(`${algorithm}: sessionkit AccessTokenCache.verify (token seen before)`, async () => {
    await cache.verify(token, keys);
  }, { group });

  bench(`${algorithm}: npm jose jwtVerify with the claim checks sessionkit makes`, async () => {
    await jwtVerify(token, key.verificationKey, {
      algorithms: [algorithm],
      typ: "at+jwt",
      requiredClaims: ["sub", "sid", "jti", "iat", "exp"],
      currentDate: new Date(),
    });
  }, { group });

  if (algorithm === "HS256") {
    bench(`${algorithm}: npm jose jwtVerify with a raw secret (bytes)`, async () => {
      await jwtVerify(token, secret, { algorithms: [algorithm], currentDate: new Date() });
    }, { group });
  }
}
