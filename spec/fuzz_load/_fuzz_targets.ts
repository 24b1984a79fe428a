// Fuzz targets shared by the CI form (spec/fuzz_load/fuzz.test.ts) and the full run (bench/drivers/fuzz.ts, `npm run
// fuzz`): the Cookie header readers, the credential parser, the access-token verification path,
// the cookie serializer's options and RedisStore's key building. Each target checks that nothing
// throws except a documented coded error; the caller checks prototype pollution and linear time.

import fc from "fast-check";
import { ManualClock } from "../../src/core/clock.ts";
import { SessionError } from "../../src/core/errors.ts";
import {
  formatCredential,
  parseCredential,
  tryParseCredential,
} from "../../src/core/credential.ts";
import { seededRandom } from "../../src/core/random.ts";
import { getCookie, parseCookies, serializeCookie } from "../../src/web/cookie.ts";
import { readCredential } from "../../src/web/http.ts";
import { AccessTokenKey } from "../../src/tokens/keys.ts";
import { AccessTokenKeySet } from "../../src/tokens/key_set.ts";
import { signAccessToken, verifyAccessToken } from "../../src/tokens/access_token.ts";
import { type RedisClient, RedisStore } from "../../src/stores/redis.ts";
import { CORPUS } from "./_fuzz_corpus.ts";

export { CORPUS, LINEAR_SHAPES, sizeRatio } from "./_fuzz_corpus.ts";

const ARGUMENT_CODES = new Set([
  "invalid-argument",
  "malformed-credential",
  "data-too-large",
  "invalid-cookie-name",
  "invalid-cookie-value",
  "invalid-cookie-attribute",
  "cookie-prefix-violation",
  "insecure-cookie",
  "cookie-too-large",
]);

/** Whether `error` is one of the documented coded errors (optionally restricted to `codes`). */
export function isCodedError(error: unknown, codes?: readonly string[]): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== "string" || (codes !== undefined && !codes.includes(code))) return false;
  if (error instanceof SessionError) return true;
  return (error instanceof TypeError || error instanceof RangeError) && ARGUMENT_CODES.has(code);
}

function mustBeCoded(error: unknown, what: string, codes?: readonly string[]): void {
  if (!isCodedError(error, codes)) {
    throw new Error(`${what} threw an undocumented error: ${String(error)}`, { cause: error });
  }
}

/** One header-ish string: generated pieces joined by separators the parsers care about. */
const headerish: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "binary", maxLength: 200 }),
  fc.array(
    fc.oneof(
      fc.constantFrom(";", "=", " ", "\t", '"', "sid", "__proto__", "constructor", "a", ","),
      fc.string({ maxLength: 8 }),
    ),
    { maxLength: 40 },
  ).map((parts) => parts.join("")),
  fc.constantFrom(...CORPUS),
);

export interface FuzzTarget {
  readonly name: string;
  /** Share of the total input count this target gets. */
  readonly weight: number;
  run(runs: number, seed: number): Promise<void>;
}

const cookieHeader: FuzzTarget = {
  name: "Cookie header readers (parseCookies, getCookie, readCredential)",
  weight: 0.35,
  run: (runs, seed) => {
    fc.assert(
      fc.property(
        headerish,
        fc.oneof(headerish, fc.constantFrom("sid", "__proto__", "a")),
        (h, n) => {
          const all = parseCookies(h);
          if (Object.getPrototypeOf(all) !== null) {
            throw new Error(
              "parseCookies record has a prototype",
            );
          }
          const one = getCookie(h, n);
          const expected = n.length === 0 ? undefined : all[n];
          if (one !== expected) throw new Error("getCookie disagrees with parseCookies");
          const request = new Request("https://a.example/", {
            headers: headersOf({ cookie: h, authorization: `Bearer ${n}` }),
          });
          try {
            const credential = readCredential(request, { cookieName: "sid", bearer: true });
            if (credential !== null && tryParseCredential(credential) === null) {
              throw new Error("readCredential returned a malformed credential");
            }
          } catch (error) {
            mustBeCoded(error, "readCredential");
          }
        },
      ),
      { numRuns: runs, seed, examples: CORPUS.map((c) => [c, "sid"] as [string, string]) },
    );
    return Promise.resolve();
  },
};

// Headers refuses values with CR/LF/NUL; such a request cannot reach the app, so drop those bytes.
function headersOf(values: Record<string, string>): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(values)) {
    const clean = value.replace(/[\r\n\0]/g, "");
    try {
      headers.set(name, clean);
    } catch {
      // A value Headers refuses (non-ByteString) never reaches the app either.
    }
  }
  return headers;
}

const credentialParser: FuzzTarget = {
  name: "credential parser (tryParseCredential, parseCredential, formatCredential)",
  weight: 0.25,
  run: (runs, seed) => {
    const credentialish = fc.oneof(
      headerish,
      fc.tuple(
        fc.string({ unit: fc.constantFrom(..."AB_-z9.+/=\u0000 "), maxLength: 70 }),
        fc.string({ unit: fc.constantFrom(..."AQgw_-z9.+/="), minLength: 40, maxLength: 46 }),
      ).map(([a, b]) => `${a}.${b}`),
      fc.anything(),
    );
    fc.assert(
      fc.property(credentialish, (value: unknown) => {
        const parsed = tryParseCredential(value);
        let thrown: unknown;
        try {
          parseCredential(value);
        } catch (error) {
          thrown = error;
          mustBeCoded(error, "parseCredential", ["malformed-credential"]);
        }
        if ((parsed === null) !== (thrown !== undefined)) {
          throw new Error("parseCredential and tryParseCredential disagree");
        }
        if (parsed !== null) {
          if (formatCredential(parsed.sessionId, parsed.secret) !== value) {
            throw new Error("A parsed credential does not round-trip");
          }
          if (typeof value === "string" && /[^A-Za-z0-9_.-]/.test(value)) {
            throw new Error("A credential outside base64url was accepted");
          }
        }
      }),
      { numRuns: runs, seed, examples: CORPUS.map((c) => [c] as [unknown]) },
    );
    return Promise.resolve();
  },
};

const cookieOptions: FuzzTarget = {
  name: "cookie serializer options (serializeCookie)",
  weight: 0.2,
  run: (runs, seed) => {
    const anyValue = fc.oneof(
      fc.anything(),
      fc.boolean(),
      fc.integer({ min: -10, max: 40_000_000 }),
      fc.constantFrom("Strict", "Lax", "None", "strict", "/", "/a", "example.com", ".a.b"),
      fc.date({ noInvalidDate: false }),
      headerish,
    );
    const options = fc.oneof(
      fc.record(
        {
          secure: anyValue,
          httpOnly: anyValue,
          sameSite: anyValue,
          path: anyValue,
          domain: anyValue,
          maxAge: anyValue,
          expires: anyValue,
          partitioned: anyValue,
        },
        { requiredKeys: [] },
      ),
      fc.dictionary(fc.string({ maxLength: 12 }), anyValue),
      fc.anything(),
      fc.constant(JSON.parse('{"__proto__":{"secure":false,"polluted":1}}')),
    );
    const name = fc.oneof(
      headerish,
      fc.constantFrom("sid", "__Host-sid", "__Secure-sid", "__host-http-x", "__Http-s"),
    );
    fc.assert(
      fc.property(name, headerish, options, (n, v, o) => {
        let header: string;
        try {
          header = serializeCookie(n, v, o as never);
        } catch (error) {
          mustBeCoded(error, "serializeCookie");
          return;
        }
        // What was accepted reads back as the same pair and holds one cookie.
        if (parseCookies(header.slice(0, header.indexOf(";")))[n] !== v) {
          throw new Error("A serialized cookie does not read back");
        }
        if (/[\r\n\0,]/.test(header.slice(0, header.indexOf(";")))) {
          throw new Error("A serialized name/value holds a separator");
        }
      }),
      { numRuns: runs, seed },
    );
    return Promise.resolve();
  },
};

async function jwtFixture() {
  const key = await AccessTokenKey.generate("k1", { random: seededRandom(3) });
  const keys = new AccessTokenKeySet(key);
  const clock = new ManualClock(1_800_000_000_000);
  const genuine = await signAccessToken(keys, { sub: "ada", sid: "s1" }, { clock });
  const b64 = (value: unknown) =>
    btoa(typeof value === "string" ? value : JSON.stringify(value) ?? "null")
      .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const [head, body, signature] = genuine.token.split(".") as [string, string, string];
  const tokenish = fc.oneof(
    headerish,
    fc.tuple(fc.anything(), fc.anything(), headerish).map(([h, p, s]) =>
      `${b64(h)}.${b64(p)}.${s}`
    ),
    fc.tuple(
      fc.record({
        alg: fc.constantFrom("HS256", "none", "HS512", "ES256"),
        kid: fc.constantFrom("k1", "__proto__"),
        typ: fc.constantFrom("at+jwt", "JWT"),
      }),
      fc.anything(),
    ).map(([h, p]) => `${b64(h)}.${b64(p)}.${signature}`),
    fc.tuple(fc.nat(genuine.token.length - 1), fc.constantFrom(..."AB_-.=x ")).map(([at, c]) =>
      genuine.token.slice(0, at) + c + genuine.token.slice(at + 1)
    ),
    fc.constant(
      `${head}.${
        b64({ sub: "ada", sid: "s1", jti: "j", iat: 1, exp: 9e9, __proto__: { polluted: 1 } })
      }.${signature}`,
    ),
    fc.constant(`${head}.${body}.${signature}`),
  );
  return { keys, clock, genuine, tokenish };
}

const jwtPath: FuzzTarget = {
  name: "access-token verification (verifyAccessToken)",
  weight: 0.05,
  run: async (runs, seed) => {
    const { keys, clock, genuine, tokenish } = await jwtFixture();
    await fc.assert(
      fc.asyncProperty(tokenish, async (token) => {
        try {
          const claims = await verifyAccessToken(token, keys, { clock });
          if (token !== genuine.token) {
            throw new Error("A token other than the genuine one verified");
          }
          if (claims.sub !== "ada") throw new Error("Wrong claims");
        } catch (error) {
          mustBeCoded(error, "verifyAccessToken", ["token-invalid", "token-expired"]);
        }
      }),
      { numRuns: runs, seed, examples: CORPUS.map((c) => [c] as [string]) },
    );
  },
};

const redisKeys: FuzzTarget = (() => {
  const seen: string[] = [];
  const recording: RedisClient = {
    evalsha: (_sha, numkeys, ...args) => {
      seen.push(...args.slice(0, numkeys));
      return Promise.reject(new Error("recording client"));
    },
    eval: (_script, numkeys, ...args) => {
      seen.push(...args.slice(0, numkeys));
      return Promise.reject(new Error("recording client"));
    },
  };
  const prefixes = fc.oneof(
    fc.constantFrom("sk:", "", "a", "app:v1:", "*", "?", "[x]", "\\", "\u0000"),
    fc.string({ maxLength: 20 }).filter((p) => !/[{}]/.test(p)),
  );
  // Strings of every length around a session id's, with the characters that matter in keys.
  const keyish = fc.string({
    unit: fc.constantFrom(..."A_-z9{}:*?[]\\. \u0000"),
    minLength: 20,
    maxLength: 40,
  });
  const text = fc.oneof(
    headerish,
    keyish,
    keyish.map((id) => `${id}.${"A".repeat(43)}`),
    fc.string({ unit: "binary", maxLength: 80 }),
  );
  const ops: ((s: RedisStore, a: string, b: string) => Promise<unknown>)[] = [
    (s, a) => s.validate(a),
    (s, a) => s.rotate(a, { graceMs: 0 }),
    (s, a) => s.get(a),
    (s, a) => s.destroy(a),
    (s, a) => s.list(a),
    (s, a, b) => s.destroyAll(a, { exceptSessionId: b }),
    (s, a) => s.update(a, { x: 1 }),
    (s, a) => s.create({ userId: a, idleTtlMs: 1_000, absoluteTtlMs: 2_000, limit: 2 }),
    (s, a, b) => s.attach(a, { userId: b, idleTtlMs: 1_000, absoluteTtlMs: 2_000 }),
    (s, a, b) => s.revokeToken({ jti: b, sessionId: a, expiresAt: 1_900_000_000_000 }),
    (s, a) => s.revokeTokens({ sessionId: a, issuedBefore: 1, until: 1_900_000_000_000 }),
    (s, a) => s.revokeTokens({ userId: a, issuedBefore: 1, until: 1_900_000_000_000 }),
    (s, a, b) => s.isTokenRevoked({ jti: b, sessionId: a, userId: b, issuedAt: 1 }),
  ];
  return {
    name: "RedisStore key building (every key under the prefix)",
    weight: 0.15,
    run: async (runs, seed) => {
      await fc.assert(
        fc.asyncProperty(prefixes, fc.nat(ops.length - 1), text, text, async (prefix, op, a, b) => {
          let store: RedisStore;
          try {
            store = new RedisStore(recording, { prefix, commandTimeoutMs: 1_000 });
          } catch (error) {
            mustBeCoded(error, "new RedisStore");
            return;
          }
          seen.length = 0;
          try {
            await ops[op]!(store, a, b);
          } catch (error) {
            mustBeCoded(error, "a RedisStore operation");
          }
          for (const key of seen) {
            if (!key.startsWith(prefix)) {
              throw new Error(`A key outside the prefix: ${JSON.stringify(key.slice(0, 40))}`);
            }
            if (!/^\{[^{}]+\}/.test(key.slice(prefix.length))) {
              throw new Error("A key without its hash tag right after the prefix");
            }
          }
        }),
        { numRuns: runs, seed },
      );
    },
  };
})();

/** Every target, weighted; the weights sum to 1. */
export function fuzzTargets(): FuzzTarget[] {
  return [cookieHeader, credentialParser, cookieOptions, jwtPath, redisKeys];
}

/** The own keys of the shared prototypes, to compare before and after a run. */
export function prototypeFingerprint(): string {
  const protos = [Object.prototype, Array.prototype, Function.prototype, String.prototype];
  return JSON.stringify(protos.map((p) => Object.getOwnPropertyNames(p).sort()));
}
