// Every Set-Cookie header the serializer emits, checked against an independent RFC 6265 cookie jar
// (tough-cookie, with strict prefix checks): it must store exactly the name, value and attributes
// we meant, and deleteCookie must remove what serializeCookie stored.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { type Cookie, CookieJar } from "tough-cookie";
import {
  type CookieOptions,
  deleteCookie,
  MAX_COOKIE_AGE_SECONDS,
  type SameSite,
  serializeCookie,
} from "../../src/web/cookie.ts";
import { clearSessionCookie, setSessionCookie } from "../../src/web/http.ts";
import { cookieName, cookieValue } from "./_cookie_arbitraries.ts";

const HOST = "a.b.example.com";
const URL_ = `https://${HOST}/`;
const NOW = new Date(Date.UTC(2030, 0, 1));

interface Meant {
  readonly name: string;
  readonly value: string;
  readonly options: CookieOptions;
}

async function store(header: string): Promise<Cookie[]> {
  const jar = new CookieJar(undefined, { prefixSecurity: "strict" });
  await jar.setCookie(header, URL_, { now: NOW, ignoreError: false });
  return await jar.getCookies(URL_, { allPaths: true, expire: false });
}

function assertStoredAsMeant(cookies: Cookie[], meant: Meant): void {
  assert.equal(cookies.length, 1, "the jar must store exactly one cookie");
  const cookie = cookies[0]!;
  const o = meant.options;
  assert.equal(cookie.key, meant.name);
  assert.equal(cookie.value, meant.value);
  assert.equal(cookie.path, o.path ?? "/");
  assert.equal(cookie.domain, (o.domain ?? HOST).replace(/^\./, "").toLowerCase());
  assert.equal(cookie.hostOnly, o.domain === undefined);
  assert.equal(cookie.secure, o.secure ?? true);
  assert.equal(cookie.httpOnly, o.httpOnly ?? true);
  assert.equal(cookie.sameSite, (o.sameSite ?? "Strict").toLowerCase());
  if (o.maxAge === undefined) assert.ok(cookie.maxAge === null || cookie.maxAge === undefined);
  else assert.equal(cookie.maxAge, o.maxAge);
  if (o.expires === undefined) assert.equal(cookie.expires, "Infinity");
  else {assert.equal(
      (cookie.expires as Date).getTime(),
      Math.floor(o.expires.getTime() / 1000) * 1000,
    );}
  assert.equal((cookie.extensions ?? []).includes("Partitioned"), o.partitioned === true);
}

const secureOptions: fc.Arbitrary<CookieOptions> = fc.record(
  {
    secure: fc.constant(true as const),
    httpOnly: fc.boolean(),
    sameSite: fc.constantFrom<SameSite>("Strict", "Lax", "None"),
    partitioned: fc.boolean(),
    path: fc.string({
      // Every path character serializeCookie accepts (not , ? # \ " ; space or controls).
      unit: fc.constantFrom(..."/abz09-._~%=!$&'()*+:@"),
      maxLength: 30,
    }).map((p) => "/" + p),
    domain: fc.constantFrom(
      "example.com",
      ".example.com",
      "b.example.com",
      "A.B.Example.COM",
    ),
    maxAge: fc.integer({ min: 1, max: MAX_COOKIE_AGE_SECONDS }),
    expires: fc.date({
      min: new Date(Date.UTC(2030, 0, 2)),
      max: new Date(Date.UTC(9999, 11, 31)),
      noInvalidDate: true,
    }),
  },
  { requiredKeys: [] },
);

const insecureOptions: fc.Arbitrary<CookieOptions> = fc.record(
  {
    secure: fc.constant(false as const),
    httpOnly: fc.boolean(),
    sameSite: fc.constantFrom("Strict" as const, "Lax" as const),
    path: fc.constantFrom("/", "/app"),
  },
  { requiredKeys: ["secure"] },
);

describe("tough-cookie stores what serializeCookie meant", () => {
  it("stores the defaults exactly", async () => {
    const meant = { name: "sid", value: "abc", options: {} };
    assertStoredAsMeant(await store(serializeCookie("sid", "abc")), meant);
  });

  it("stores __Host-, __Secure- and every attribute exactly", async () => {
    const cases: Meant[] = [
      { name: "__Host-sid", value: "x.y", options: { maxAge: 3600 } },
      { name: "__Secure-sid", value: "", options: { domain: "example.com", path: "/app" } },
      {
        name: "full",
        value: "v",
        options: {
          path: "/a/b",
          domain: ".b.example.com",
          maxAge: MAX_COOKIE_AGE_SECONDS,
          expires: new Date(Date.UTC(2031, 1, 2, 3, 4, 5)),
          httpOnly: false,
          sameSite: "None",
          partitioned: true,
        },
      },
      { name: "dev", value: "1", options: { secure: false, httpOnly: false, sameSite: "Lax" } },
    ];
    for (const meant of cases) {
      const header = serializeCookie(meant.name, meant.value, meant.options);
      assertStoredAsMeant(await store(header), meant);
    }
  });

  it("stores every valid cookie exactly (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        cookieName.filter((n) => !/^__(host|secure|http)-/i.test(n)),
        cookieValue,
        fc.oneof(secureOptions, insecureOptions),
        async (name, value, options) => {
          const header = serializeCookie(name, value, options);
          assertStoredAsMeant(await store(header), { name, value, options });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("deleteCookie removes the cookie serializeCookie stored", async () => {
    const cases: Meant[] = [
      { name: "__Host-sid", value: "abc", options: { maxAge: 60 } },
      { name: "a", value: "1", options: { path: "/app", domain: "example.com" } },
      { name: "__Secure-p", value: "2", options: { partitioned: true, sameSite: "None" } },
    ];
    for (const { name, value, options } of cases) {
      const jar = new CookieJar(undefined, { prefixSecurity: "strict" });
      await jar.setCookie(serializeCookie(name, value, options), URL_, { ignoreError: false });
      assert.equal((await jar.getCookies(URL_, { allPaths: true })).length, 1);
      const { maxAge: _m, expires: _e, ...rest } = options;
      await jar.setCookie(deleteCookie(name, rest), URL_, { ignoreError: false });
      assert.deepEqual(await jar.getCookies(URL_, { allPaths: true }), []);
    }
  });

  it("setSessionCookie and clearSessionCookie headers round-trip through the jar", async () => {
    const credential = "s1." + "A".repeat(43);
    const jar = new CookieJar(undefined, { prefixSecurity: "strict" });
    const login = new Headers();
    setSessionCookie(login, credential, { cookieName: "__Host-sid", maxAge: 600 });
    for (const header of login.getSetCookie()) {
      await jar.setCookie(header, URL_, { ignoreError: false });
    }
    assert.equal(await jar.getCookieString(URL_), `__Host-sid=${credential}`);
    assert.equal(
      await jar.getCookieString(URL_, { http: false }),
      "",
      "HttpOnly hides it from scripts",
    );
    assert.equal(
      await jar.getCookieString(`http://${HOST}/`),
      "",
      "Secure keeps it off plain HTTP",
    );
    const logout = new Headers();
    clearSessionCookie(logout, { cookieName: "__Host-sid" });
    for (const header of logout.getSetCookie()) {
      await jar.setCookie(header, URL_, { ignoreError: false });
    }
    assert.equal(await jar.getCookieString(URL_), "");
  });
});
