// The CPU sections of bench/compare/compare.ts (no I/O): access-token verification against jose, the
// cookie serializer and reader against the `cookie` package.
import { jwtVerify } from "jose";
import { parseCookie, stringifySetCookie } from "cookie";
import { AccessTokenKey } from "../../src/tokens/keys.ts";
import { AccessTokenKeySet } from "../../src/tokens/key_set.ts";
import { signAccessToken, verifyAccessToken } from "../../src/tokens/access_token.ts";
import * as cookies from "../../src/web/cookie.ts";
import { type Budget, type Candidate, measure, ratio } from "./_measure.ts";
import type { Row } from "./_compare_report.ts";

export interface CpuContext {
  readonly budget: Budget;
  readonly log: (text: string) => void;
}

const CREDENTIAL = "b3JpZ2luYWwtaWQxMjM0NTY3ODkw.Vk9tKQ3v1g8Fz0pC2rNwL5xYdA7eHsJuQbTqXiM4oRk";
const HEADER = [
  "_ga=GA1.2.1234567890.1700000000",
  "_gid=GA1.2.987654321.1700000000",
  "theme=dark",
  "lang=en-GB",
  "consent=analytics%3Dtrue%2Cads%3Dfalse",
  `__Host-session=${CREDENTIAL}`,
  "_fbp=fb.1.1700000000000.1234567890",
  "ab_test=variant-b",
  "tz=Europe%2FLondon",
  "last_seen=1700000000",
].join("; ");

let sink = 0;

export async function cpuSections(ctx: CpuContext): Promise<Row[]> {
  const rows: Row[] = [];
  ctx.log("access tokens: first-seen verification vs jose jwtVerify");
  const key = await AccessTokenKey.import({
    kid: "k1",
    secret: crypto.getRandomValues(new Uint8Array(32)),
  });
  const keys = new AccessTokenKeySet(key);
  const tokens: string[] = [];
  for (let i = 0; i < 64; i++) {
    tokens.push(
      (await signAccessToken(keys, { sub: `user-${i}`, sid: `s${i}`, role: "member" })).token,
    );
  }
  let t = 0;
  const jwt: Candidate[] = [
    {
      name: "jose",
      op: () =>
        jwtVerify(tokens[t++ & 63]!, key.verificationKey, {
          algorithms: ["HS256"],
          currentDate: new Date(),
        }),
    },
    {
      name: "jose-same-checks",
      op: () =>
        jwtVerify(tokens[t++ & 63]!, key.verificationKey, {
          algorithms: ["HS256"],
          typ: "at+jwt",
          requiredClaims: ["sub", "sid", "jti", "iat", "exp"],
          currentDate: new Date(),
        }),
    },
    { name: "ours", op: () => verifyAccessToken(tokens[t++ & 63]!, keys) },
  ];
  const m = await measure(jwt, 1, ctx.budget);
  rows.push({
    id: "jwt",
    label: "first-seen access token HS256 / jose jwtVerify (CryptoKey)",
    inFlight: 1,
    ratio: ratio(m[2]!, m[0]!),
    target: 1.15,
    note: "",
  }, {
    id: "jwt-same",
    label: "(reference) jose with our claim checks / jose jwtVerify",
    inFlight: 1,
    ratio: ratio(m[1]!, m[0]!),
    target: null,
    note: "",
  });

  ctx.log("cookies: serializer and reader vs cookie@2");
  const serialize = cookies.cookieSerializer("__Host-session", {});
  const cookie: Candidate[] = [
    {
      name: "stringifySetCookie",
      op: () => {
        sink += stringifySetCookie({
          name: "__Host-session",
          value: CREDENTIAL,
          path: "/",
          secure: true,
          httpOnly: true,
          sameSite: "strict",
        }).length;
      },
    },
    {
      name: "serializeCookie",
      op: () => {
        sink += cookies.serializeCookie("__Host-session", CREDENTIAL, {}).length;
      },
    },
    { name: "cookieSerializer", op: () => (sink += serialize(CREDENTIAL).length) },
    { name: "parseCookie", op: () => (sink += parseCookie(HEADER)["__Host-session"]!.length) },
    { name: "getCookie", op: () => (sink += cookies.getCookie(HEADER, "__Host-session")!.length) },
  ];
  const c = await measure(cookie, 1, ctx.budget);
  rows.push(
    {
      id: "cookie",
      label: 'serializeCookie("__Host-session", v, {}) / cookie@2 stringifySetCookie',
      inFlight: 1,
      ratio: ratio(c[1]!, c[0]!),
      target: 1.0,
      note: "",
    },
    {
      id: "cookie-serializer",
      label: 'cookieSerializer("__Host-session", {})(v) / cookie@2 stringifySetCookie',
      inFlight: 1,
      ratio: ratio(c[2]!, c[0]!),
      target: 1.0,
      note: "",
    },
    {
      id: "cookie-read",
      label: "getCookie (1 of 10) / cookie@2 parseCookie",
      inFlight: 1,
      ratio: ratio(c[4]!, c[3]!),
      target: null,
      note: "",
    },
  );
  if (sink === -1) console.log(sink);
  return rows;
}
