// Cookie serializer and readers against the `cookie` package (v2), in the same run: ratios, not
// absolute times. Run with `deno bench --allow-all bench/cookie.bench.ts` (or under Node).
import { parseCookie, stringifySetCookie } from "cookie";
import { getCookie, parseCookies, serializeCookie } from "../src/web/cookie.ts";
import { bench } from "./_bench.ts";

const CREDENTIAL = "b3JpZ2luYWwtaWQ.Vk9tKQ3v1g8Fz0pC2rNwL5xYdA7eHsJuQbTqXiM4oRk";
let sink = 0;

bench("sessionkit serializeCookie (checks every attribute)", () => {
  sink += serializeCookie("__Host-sid", CREDENTIAL, { maxAge: 86_400 }).length;
}, { group: "write a Set-Cookie header", baseline: true });

bench("npm cookie@2 stringifySetCookie (no checks)", () => {
  sink += stringifySetCookie({
    name: "__Host-sid",
    value: CREDENTIAL,
    path: "/",
    maxAge: 86_400,
    secure: true,
    httpOnly: true,
    sameSite: "strict",
  }).length;
}, { group: "write a Set-Cookie header" });

// A realistic 10-cookie header: analytics and preference cookies around the session cookie.
const HEADER = [
  "_ga=GA1.2.1234567890.1700000000",
  "_gid=GA1.2.987654321.1700000000",
  "theme=dark",
  "lang=en-GB",
  "consent=analytics%3Dtrue%2Cads%3Dfalse",
  `__Host-sid=${CREDENTIAL}`,
  "_fbp=fb.1.1700000000000.1234567890",
  "ab_test=variant-b",
  "tz=Europe%2FLondon",
  "last_seen=1700000000",
].join("; ");

bench("sessionkit getCookie: the 6th of 10 cookies", () => {
  sink += getCookie(HEADER, "__Host-sid")?.length ?? 0;
}, { group: "read the session cookie from a 10-cookie header", baseline: true });

bench("sessionkit parseCookies: all 10 cookies", () => {
  sink += parseCookies(HEADER)["__Host-sid"]?.length ?? 0;
}, { group: "read the session cookie from a 10-cookie header" });

bench("npm cookie@2 parseCookie: all 10 cookies", () => {
  sink += parseCookie(HEADER)["__Host-sid"]?.length ?? 0;
}, { group: "read the session cookie from a 10-cookie header" });

bench("sessionkit getCookie: the 1st of 10 cookies", () => {
  sink += getCookie(HEADER, "_ga")?.length ?? 0;
}, { group: "read the first cookie of a 10-cookie header", baseline: true });

bench("npm cookie@2 parseCookie: all 10 cookies, then the 1st", () => {
  sink += parseCookie(HEADER)["_ga"]?.length ?? 0;
}, { group: "read the first cookie of a 10-cookie header" });

globalThis.addEventListener?.("unload", () => {
  if (sink === -1) console.log(sink);
});
