// readCredential, setSessionCookie / clearSessionCookie / replaceSetCookie, checkOrigin.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { formatCredential, generateSecret } from "../../src/core/credential.ts";
import { seededRandom } from "../../src/core/random.ts";
import {
  checkOrigin,
  clearSessionCookie,
  readCredential,
  replaceSetCookie,
  setSessionCookie,
} from "../../src/web/http.ts";

const random = seededRandom(5);
const CREDENTIAL = formatCredential("s1", generateSecret(random));
const OTHER = formatCredential("s2", generateSecret(random));
const COOKIE = "__Host-sid";

function request(headers: Record<string, string>, init: RequestInit = {}): Request {
  return new Request("https://app.example.com/path", { ...init, headers });
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe("readCredential", () => {
  it("reads a well-formed credential from the session cookie", () => {
    const req = request({ cookie: `theme=dark; ${COOKIE}=${CREDENTIAL}` });
    assert.equal(readCredential(req, { cookieName: COOKIE }), CREDENTIAL);
  });

  it("returns null without a cookie header or without the cookie", () => {
    assert.equal(readCredential(request({}), { cookieName: COOKIE }), null);
    assert.equal(readCredential(request({ cookie: "a=1" }), { cookieName: COOKIE }), null);
  });

  it("returns null for a malformed credential", () => {
    for (
      const bad of ["", "abc", `${CREDENTIAL}x`, `x.${CREDENTIAL}`, CREDENTIAL.replace(".", "..")]
    ) {
      assert.equal(
        readCredential(request({ cookie: `${COOKIE}=${bad}` }), { cookieName: COOKIE }),
        null,
      );
    }
  });

  it("uses the first cookie of that name, as the browser sends the most specific first", () => {
    const req = request({ cookie: `${COOKIE}=${CREDENTIAL}; ${COOKIE}=${OTHER}` });
    assert.equal(readCredential(req, { cookieName: COOKIE }), CREDENTIAL);
  });

  it("ignores Authorization unless bearer is enabled", () => {
    const req = request({ authorization: `Bearer ${CREDENTIAL}` });
    assert.equal(readCredential(req, { cookieName: COOKIE }), null);
    assert.equal(readCredential(req, { cookieName: COOKIE, bearer: true }), CREDENTIAL);
  });

  it("matches the Bearer scheme in any letter case, with surrounding spaces", () => {
    for (
      const value of [`bearer ${CREDENTIAL}`, `BEARER   ${CREDENTIAL}  `, ` Bearer\t${CREDENTIAL}`]
    ) {
      assert.equal(
        readCredential(request({ authorization: value }), { cookieName: COOKIE, bearer: true }),
        CREDENTIAL,
      );
    }
  });

  it("prefers a Bearer token to the cookie", () => {
    const req = request({ authorization: `Bearer ${OTHER}`, cookie: `${COOKIE}=${CREDENTIAL}` });
    assert.equal(readCredential(req, { cookieName: COOKIE, bearer: true }), OTHER);
  });

  it("returns null for a malformed Bearer token without falling back to the cookie", () => {
    for (
      const value of [
        "Bearer",
        "Bearer ",
        "Bearer abc",
        `Bearer ${CREDENTIAL} extra`,
        `Bearer ${CREDENTIAL},x`,
      ]
    ) {
      const req = request({ authorization: value, cookie: `${COOKIE}=${CREDENTIAL}` });
      assert.equal(readCredential(req, { cookieName: COOKIE, bearer: true }), null, value);
    }
  });

  it("falls back to the cookie when Authorization uses another scheme", () => {
    for (const value of ["Basic dXNlcjpwYXNz", `Bearerx ${CREDENTIAL}`, "Token abc"]) {
      const req = request({ authorization: value, cookie: `${COOKIE}=${CREDENTIAL}` });
      assert.equal(readCredential(req, { cookieName: COOKIE, bearer: true }), CREDENTIAL, value);
    }
  });

  it("refuses a cookieName that is not a token and a non-boolean bearer", () => {
    assert.equal(
      codeOf(() => readCredential(request({}), { cookieName: "a b" })),
      "invalid-cookie-name",
    );
    assert.equal(
      codeOf(() => readCredential(request({}), { cookieName: "" })),
      "invalid-cookie-name",
    );
    const bearer = "yes" as unknown as boolean;
    assert.equal(
      codeOf(() => readCredential(request({}), { cookieName: COOKIE, bearer })),
      "invalid-argument",
    );
  });

  it("never throws and returns only well-formed credentials for arbitrary headers", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (cookie, authorization) => {
        const headers = new Headers();
        try {
          headers.set("cookie", cookie);
          headers.set("authorization", authorization);
        } catch {
          return; // not a valid header value; Headers refuses it before we see it
        }
        const got = readCredential(new Request("https://x.test/", { headers }), {
          cookieName: COOKIE,
          bearer: true,
        });
        assert.ok(got === null || /^[A-Za-z0-9_-]{1,64}\.[A-Za-z0-9_-]{43}$/.test(got));
      }),
    );
  });
});

describe("setSessionCookie and clearSessionCookie", () => {
  it("writes the hardened session cookie", () => {
    const headers = new Headers();
    setSessionCookie(headers, CREDENTIAL, { cookieName: COOKIE, maxAge: 600 });
    assert.deepEqual(headers.getSetCookie(), [
      `${COOKIE}=${CREDENTIAL}; Path=/; Max-Age=600; Secure; HttpOnly; SameSite=Strict`,
    ]);
  });

  it("replaces an earlier Set-Cookie for the same name (rotation) and keeps the others in order", () => {
    const headers = new Headers();
    headers.append("set-cookie", "theme=dark; Path=/");
    setSessionCookie(headers, CREDENTIAL, { cookieName: COOKIE });
    headers.append("set-cookie", "lang=en; Path=/");
    setSessionCookie(headers, OTHER, { cookieName: COOKIE });
    assert.deepEqual(headers.getSetCookie(), [
      "theme=dark; Path=/",
      "lang=en; Path=/",
      `${COOKIE}=${OTHER}; Path=/; Secure; HttpOnly; SameSite=Strict`,
    ]);
  });

  it("clearing after a rotation leaves only the deleting Set-Cookie", () => {
    const headers = new Headers();
    setSessionCookie(headers, CREDENTIAL, { cookieName: COOKIE });
    clearSessionCookie(headers, { cookieName: COOKIE });
    const all = headers.getSetCookie();
    assert.equal(all.length, 1);
    assert.ok(all[0]!.startsWith(`${COOKIE}=; Path=/; Max-Age=0;`));
  });

  it("passes path and domain through to the deleting cookie", () => {
    const headers = new Headers();
    clearSessionCookie(headers, { cookieName: "sid", path: "/app", domain: "example.com" });
    assert.match(headers.getSetCookie()[0]!, /^sid=; Path=\/app; Domain=example\.com; Max-Age=0;/);
  });

  it("does not treat a cookie whose name merely starts with the same letters as the same cookie", () => {
    const headers = new Headers();
    headers.append("set-cookie", "sid2=x; Path=/");
    headers.append("set-cookie", "SID=y; Path=/");
    setSessionCookie(headers, CREDENTIAL, { cookieName: "sid" });
    assert.equal(headers.getSetCookie().length, 3);
  });

  it("refuses a malformed credential without echoing it", () => {
    const secret = "not-a-credential-SECRET";
    assert.throws(
      () => setSessionCookie(new Headers(), secret, { cookieName: COOKIE }),
      (error: unknown) => {
        assert.equal((error as { code?: string }).code, "malformed-credential");
        assert.ok(!(error as Error).message.includes(secret));
        return true;
      },
    );
  });

  it("refuses cookie options the serializer refuses, and never writes to them", () => {
    const options = Object.freeze({ cookieName: COOKIE, domain: "example.com" });
    const loose = setSessionCookie as (h: Headers, c: string, o: unknown) => void;
    assert.equal(
      codeOf(() => loose(new Headers(), CREDENTIAL, options)),
      "cookie-prefix-violation",
    );
    const hostWithPath = () =>
      // @ts-expect-error the prefix rules are in the types of setSessionCookie too
      setSessionCookie(new Headers(), CREDENTIAL, { cookieName: "__Host-x", path: "/a" });
    assert.throws(hostWithPath);
    const insecureSecure = () =>
      // @ts-expect-error and of clearSessionCookie
      clearSessionCookie(new Headers(), { cookieName: "__Secure-x", secure: false });
    assert.throws(insecureSecure);
  });

  it("replaceSetCookie refuses a value without a cookie name", () => {
    assert.equal(codeOf(() => replaceSetCookie(new Headers(), "=x")), "invalid-argument");
    assert.equal(
      codeOf(() => replaceSetCookie(new Headers(), "novalue; Path=/")),
      "invalid-argument",
    );
  });
});

describe("checkOrigin", () => {
  const post = (headers: Record<string, string>, url = "https://app.example.com/logout") =>
    new Request(url, { method: "POST", headers });

  it("lets safe methods through whatever their headers", () => {
    for (const method of ["GET", "HEAD", "OPTIONS", "get"]) {
      const req = new Request("https://app.example.com/", {
        method,
        headers: { "sec-fetch-site": "cross-site" },
      });
      assert.deepEqual(checkOrigin(req), { ok: true, reason: "safe-method" });
    }
  });

  it("refuses a cross-site or same-site state-changing request", () => {
    assert.deepEqual(
      checkOrigin(post({ "sec-fetch-site": "cross-site", origin: "https://evil.test" })),
      {
        ok: false,
        reason: "cross-site",
      },
    );
    assert.deepEqual(
      checkOrigin(post({ "sec-fetch-site": "same-site", origin: "https://x.example.com" })),
      {
        ok: false,
        reason: "same-site",
      },
    );
    assert.deepEqual(checkOrigin(post({ "sec-fetch-site": "bogus" })), {
      ok: false,
      reason: "cross-site",
    });
    for (const method of ["PUT", "DELETE", "PATCH"]) {
      const req = new Request("https://app.example.com/", {
        method,
        headers: { origin: "https://evil.test" },
      });
      assert.equal(checkOrigin(req).ok, false, method);
    }
  });

  it("accepts Sec-Fetch-Site same-origin and none", () => {
    assert.deepEqual(checkOrigin(post({ "sec-fetch-site": "same-origin" })), {
      ok: true,
      reason: "same-origin",
    });
    assert.deepEqual(checkOrigin(post({ "sec-fetch-site": "none" })), {
      ok: true,
      reason: "user-initiated",
    });
  });

  it("accepts an allowed origin even when the browser says cross-site", () => {
    const req = post({ origin: "https://admin.example.com", "sec-fetch-site": "same-site" });
    assert.deepEqual(checkOrigin(req, { allowedOrigins: ["https://admin.example.com"] }), {
      ok: true,
      reason: "allowed-origin",
    });
  });

  it("compares Origin with the request's own origin when Sec-Fetch-Site is absent", () => {
    assert.deepEqual(checkOrigin(post({ origin: "https://app.example.com" })), {
      ok: true,
      reason: "same-origin",
    });
    assert.deepEqual(checkOrigin(post({ origin: "http://app.example.com" })), {
      ok: false,
      reason: "origin-mismatch",
    });
    assert.deepEqual(checkOrigin(post({ origin: "https://app.example.com:8443" })), {
      ok: false,
      reason: "origin-mismatch",
    });
  });

  it("refuses Origin: null", () => {
    assert.deepEqual(checkOrigin(post({ origin: "null", "sec-fetch-site": "same-origin" })), {
      ok: false,
      reason: "null-origin",
    });
  });

  it("refuses a request without Origin and Sec-Fetch-Site unless told otherwise", () => {
    assert.deepEqual(checkOrigin(post({})), { ok: false, reason: "missing-origin" });
    assert.deepEqual(checkOrigin(post({}), { allowMissingOrigin: true }), {
      ok: true,
      reason: "no-browser-headers",
    });
  });

  it("refuses allowedOrigins that are not serialized origins", () => {
    for (
      const origin of ["https://a.com/", "a.com", "https://a.com/path", "null", "HTTPS://A.COM", ""]
    ) {
      assert.equal(
        codeOf(() => checkOrigin(post({}), { allowedOrigins: [origin] })),
        "invalid-argument",
        origin,
      );
    }
    const notArray = "https://a.com" as unknown as string[];
    assert.equal(
      codeOf(() => checkOrigin(post({}), { allowedOrigins: notArray })),
      "invalid-argument",
    );
  });
});
