// The security matrix: one named test per requirement, each citing its source —
// OWASP Session Management Cheat Sheet (OWASP-SM), RFC 6265bis (section numbers of
// draft-ietf-httpbis-rfc6265bis-15; `__Http-` is the later prefix proposal),
// CHIPS (Cookies Having Independent Partitioned State), RFC 8725 (JWT BCP), RFC 9700 (OAuth 2.0
// Security BCP). Tested through the public API only. Issue 10 owns binding, credential kinds, the
// refresh grace default and the cookie-path comma: they are not repeated here.

import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import {
  deleteCookie,
  MAX_COOKIE_AGE_SECONDS,
  parseCookies,
  serializeCookie,
} from "../../src/web/cookie.ts";
import { clearSessionCookie, setSessionCookie } from "../../src/web/http.ts";
import {
  AccessTokenKey,
  AccessTokenKeySet,
  MemoryStore,
  SessionManager,
  signAccessToken,
  verifyAccessToken,
} from "../../mod.ts";
import { tryParseCredential } from "../../src/stores/store.ts";
import { seededRandom } from "../../src/core/random.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { errorOf, knownKey, STORES, T0, thrownBy, world } from "./_security_world.ts";
import { runAllFlows } from "../kit/_scripted_run.ts";

const HOUR = 3_600_000;

describe("security matrix: OWASP Session Management Cheat Sheet", () => {
  it("OWASP-SM 'Session ID Entropy' and 'Length': each credential carries 256 fresh random bits", async () => {
    const manager = new SessionManager({ store: new MemoryStore() });
    const secrets = new Set<string>();
    let ones = 0;
    const n = 1_000;
    for (let i = 0; i < n; i++) {
      const { credential } = await manager.createAnonymous();
      const parsed = tryParseCredential(credential);
      assert.ok(parsed !== null);
      secrets.add(parsed.secret);
      const bytes = Uint8Array.from(
        atob(parsed.secret.replace(/-/g, "+").replace(/_/g, "/") + "="),
        (c) => c.charCodeAt(0),
      );
      assert.equal(bytes.length, 32);
      for (const b of bytes) for (let bit = 0; bit < 8; bit++) ones += (b >> bit) & 1;
    }
    assert.equal(secrets.size, n);
    // 256,000 fair bits: the count of ones is within 6 standard deviations (±1,518) of 128,000.
    assert.ok(Math.abs(ones - (n * 256) / 2) < 6 * Math.sqrt(n * 256 / 4), `ones=${ones}`);
  });

  it("OWASP-SM 'Session ID Entropy': the default source is the platform CSPRNG (crypto.getRandomValues)", async () => {
    const original = crypto.getRandomValues;
    let calls = 0;
    crypto.getRandomValues = function <T extends ArrayBufferView | null>(array: T): T {
      calls++;
      return original.call(crypto, array as ArrayBufferView) as T;
    } as typeof crypto.getRandomValues;
    try {
      const manager = new SessionManager({ store: new MemoryStore() });
      const before = calls;
      await manager.login("ada");
      assert.ok(calls > before, "a login drew no bytes from crypto.getRandomValues");
    } finally {
      crypto.getRandomValues = original;
    }
    // And an injected source is the only other origin: the same seed gives the same credential.
    const login = async (seed: number) =>
      (await new SessionManager({
        store: new MemoryStore({ random: seededRandom(seed), clock: new ManualClock(T0) }),
        clock: new ManualClock(T0),
      }).login("ada")).credential;
    assert.equal(await login(5), await login(5));
    assert.notEqual(await login(5), await login(6));
  });

  for (const maker of STORES) {
    it(`OWASP-SM 'Session ID Name Fingerprinting'/strict mode: a well-formed credential never issued yields nothing and creates nothing (${maker.name})`, async () => {
      const w = await world(maker);
      const real = await w.manager.login("ada");
      const forged = `${real.session.id}.${"A".repeat(42)}A`;
      const stranger = `AAAAAAAAAAAAAAAAAAAAAA.${"B".repeat(42)}A`;
      for (const credential of [forged, stranger]) {
        assert.ok(tryParseCredential(credential) !== null);
        assert.equal((await errorOf(w.manager.validate(credential))).code, "session-invalid");
        assert.equal((await errorOf(w.manager.regenerate(credential))).code, "session-invalid");
        assert.equal((await errorOf(w.manager.refresh(credential))).code, "session-invalid");
      }
      // Logging in while presenting an unknown credential never adopts it.
      const login = await w.manager.login("bob", { credential: stranger });
      assert.notEqual(login.credential, stranger);
      assert.notEqual(login.session.id, stranger.split(".")[0]);
      assert.equal((await w.manager.listSessions("ada")).length, 1);
      assert.equal(await w.store.get(stranger.split(".")[0]!), null);
    });

    it(`OWASP-SM 'Renew the Session ID After Any Privilege Level Change': login over an anonymous session and regenerate both kill the old credential (${maker.name})`, async () => {
      const w = await world(maker, { session: { graceMs: 0 } });
      const anonymous = await w.manager.createAnonymous({ data: { cart: [1] } });
      const login = await w.manager.login("ada", { credential: anonymous.credential });
      assert.notEqual(login.credential, anonymous.credential);
      assert.deepEqual((await w.manager.validate(login.credential)).session.data, { cart: [1] });
      const sudo = await w.manager.regenerate(login.credential);
      assert.ok(sudo.credential !== null && sudo.credential !== login.credential);
      assert.equal((await w.manager.validate(sudo.credential)).session.userId, "ada");
      // Each replaced credential is dead; presenting one is reuse (the session is then revoked).
      assert.equal((await errorOf(w.manager.validate(login.credential))).code, "session-reused");
      assert.ok((await errorOf(w.manager.validate(anonymous.credential))).code !== undefined);
      assert.ok((await errorOf(w.manager.validate(sudo.credential))).code !== undefined);
    });

    it(`OWASP-SM 'Idle Timeout' is enforced server-side: unused for idleTtlMs, the credential is dead (${maker.name})`, async () => {
      const w = await world(maker, { session: { idleTtlMs: HOUR, absoluteTtlMs: 24 * HOUR } });
      const { credential } = await w.manager.login("ada");
      w.clock.advance(HOUR - 1);
      await w.manager.validate(credential);
      w.clock.advance(HOUR - 1);
      await w.manager.validate(credential);
      w.clock.advance(HOUR);
      assert.equal((await errorOf(w.manager.validate(credential))).code, "session-invalid");
    });

    it(`OWASP-SM 'Absolute Timeout' is enforced server-side: activity never extends a session past absoluteTtlMs (${maker.name})`, async () => {
      const w = await world(maker, { session: { idleTtlMs: HOUR, absoluteTtlMs: 3 * HOUR } });
      const { credential, session } = await w.manager.login("ada");
      // Requests 31 minutes apart: each one past the default half-TTL slide threshold slides.
      const step = HOUR / 2 + 60_000;
      while (w.clock.now() + step < T0 + 3 * HOUR) {
        w.clock.advance(step);
        const { session: seen } = await w.manager.validate(credential);
        assert.ok(seen.idleExpiresAt <= session.absoluteExpiresAt);
      }
      w.clock.set(T0 + 3 * HOUR);
      assert.equal((await errorOf(w.manager.validate(credential))).code, "session-invalid");
    });

    it(`OWASP-SM 'Manual Session Expiration': logout destroys the session server-side and the cookie is cleared (${maker.name})`, async () => {
      const w = await world(maker);
      const { credential, session } = await w.manager.login("ada");
      const headers = new Headers();
      setSessionCookie(headers, credential, { cookieName: "__Host-sid" });
      assert.equal(await w.manager.logout(credential), true);
      clearSessionCookie(headers, { cookieName: "__Host-sid" });
      assert.equal(await w.store.get(session.id), null);
      assert.equal((await errorOf(w.manager.validate(credential))).code, "session-invalid");
      const cookies = headers.getSetCookie();
      assert.equal(cookies.length, 1);
      assert.match(cookies[0]!, /^__Host-sid=; Path=\/; Max-Age=0; Expires=Thu, 01 Jan 1970/);
      assert.ok(!cookies[0]!.includes(credential.split(".")[1]!));
      assert.equal(await w.manager.logout(credential), false);
    });

    it(`OWASP-SM 'Logging Sessions Life Cycle': events identify sessions by a keyed hash, never the id or credential (${maker.name})`, async () => {
      const w = await world(maker, { session: { graceMs: 0 } });
      const { credential, session } = await w.manager.login("ada");
      const next = await w.manager.regenerate(credential);
      await w.manager.validate(credential).catch(() => {});
      await w.manager.logout(next.credential!);
      assert.ok(w.events.length >= 3);
      for (const event of w.events) {
        const text = JSON.stringify(event);
        assert.ok(!text.includes(session.id), `event ${event.type} carries the session id`);
        assert.ok(!text.includes(credential.split(".")[1]!));
        assert.match(event.sessionRef, /^[A-Za-z0-9_-]{16}$|^$/);
      }
      // The reference is stable for one session, so the log can follow it.
      const refs = new Set(w.events.filter((e) => e.sessionRef !== "").map((e) => e.sessionRef));
      assert.equal(refs.size, 1);
    });
  }
});

describe("security matrix: RFC 6265bis and CHIPS", () => {
  it("RFC 6265bis §4.1.3.1/§4.1.3.2/__Http-: prefixed names demand Secure, Path=/ and no Domain, HttpOnly (any letter case)", () => {
    const bad: [string, Record<string, unknown>][] = [
      ["__Secure-sid", { secure: false }],
      ["__secure-sid", { secure: false }],
      ["__Host-sid", { secure: false }],
      ["__HOST-sid", { path: "/app" }],
      ["__Host-sid", { domain: "example.com" }],
      ["__Http-sid", { httpOnly: false }],
      ["__Host-Http-sid", { httpOnly: false }],
    ];
    for (const [name, options] of bad) {
      assert.equal(
        thrownBy(() => serializeCookie(name, "v", options as never)).code,
        "cookie-prefix-violation",
        `${name} ${JSON.stringify(options)}`,
      );
    }
    assert.match(serializeCookie("__Host-sid", "v"), /^__Host-sid=v; Path=\/; Secure; HttpOnly/);
  });

  it("RFC 6265bis §4.1.2.7 (SameSite): SameSite=None without Secure is refused", () => {
    const error = thrownBy(() =>
      serializeCookie("sid", "v", { secure: false, sameSite: "None" } as never)
    );
    assert.equal(error.code, "insecure-cookie");
    assert.match(serializeCookie("sid", "v", { sameSite: "None" }), /; Secure;.*SameSite=None/);
  });

  it("CHIPS §2.1 (Partitioned): Partitioned without Secure is refused", () => {
    const error = thrownBy(() =>
      serializeCookie("sid", "v", { secure: false, partitioned: true } as never)
    );
    assert.equal(error.code, "insecure-cookie");
    assert.match(serializeCookie("sid", "v", { partitioned: true }), /; Secure;.*; Partitioned$/);
  });

  it("RFC 6265bis §4.1.1/§5.6 (size limits): name+value over 4096 bytes and attributes over 1024 bytes are refused", () => {
    assert.equal(thrownBy(() => serializeCookie("s", "v".repeat(4096))).code, "cookie-too-large");
    assert.ok(serializeCookie("s", "v".repeat(4095)).startsWith("s="));
    const path = "/" + "p".repeat(1024);
    assert.equal(thrownBy(() => serializeCookie("s", "v", { path })).code, "cookie-too-large");
  });

  it("RFC 6265bis §5.6.1/§5.6.2 (lifetime limit): Max-Age over 400 days is refused, never silently capped", () => {
    assert.equal(MAX_COOKIE_AGE_SECONDS, 400 * 86_400);
    const error = thrownBy(() => serializeCookie("s", "v", { maxAge: MAX_COOKIE_AGE_SECONDS + 1 }));
    assert.equal(error.code, "invalid-cookie-attribute");
    assert.ok(error instanceof RangeError);
    assert.match(serializeCookie("s", "v", { maxAge: MAX_COOKIE_AGE_SECONDS }), /Max-Age=34560000/);
  });

  it("RFC 6265bis §4.1.1 (grammar): names must be tokens and values cookie-octets", () => {
    for (const name of ["", "a b", "a;b", "a=b", "a\u0000", "a,b", "ä", "(x)"]) {
      assert.equal(thrownBy(() => serializeCookie(name, "v")).code, "invalid-cookie-name", name);
    }
    for (const value of ["a b", "a;b", "a,b", 'a"b', "a\\b", "a\u007f", "é", "a\tb"]) {
      assert.equal(thrownBy(() => serializeCookie("s", value)).code, "invalid-cookie-value", value);
    }
    assert.equal(parseCookies("a=1; a=2").a, "1");
  });

  it("RFC 6265bis §4.1.1 ('SHOULD NOT include more than one Set-Cookie with the same name'): one Set-Cookie per name", async () => {
    const manager = new SessionManager({ store: new MemoryStore() });
    const first = await manager.login("ada");
    const second = await manager.login("ada");
    const headers = new Headers();
    headers.append("set-cookie", serializeCookie("theme", "dark"));
    setSessionCookie(headers, first.credential, { cookieName: "__Host-sid" });
    setSessionCookie(headers, second.credential, { cookieName: "__Host-sid" });
    clearSessionCookie(headers, { cookieName: "__Host-sid" });
    const names = headers.getSetCookie().map((h) => h.slice(0, h.indexOf("=")));
    assert.deepEqual(names.sort(), ["__Host-sid", "theme"]);
    assert.equal(deleteCookie("__Host-sid").split("; ")[0], "__Host-sid=");
  });
});

describe("security matrix: RFC 8725 (JWT BCP)", () => {
  const clock = new ManualClock(T0);
  let keys: AccessTokenKeySet;
  let key: AccessTokenKey;
  beforeEach(async () => {
    key = await knownKey("s".repeat(16) + "e".repeat(16));
    keys = new AccessTokenKeySet(key);
  });

  const claims = () => {
    const iat = Math.floor(clock.now() / 1000);
    return { sub: "ada", sid: "s1", jti: "j1", iat, exp: iat + 900 };
  };

  it("RFC 8725 §3.1 (algorithm verification): a token in another algorithm than the key's pinned one is refused", async () => {
    const raw = new TextEncoder().encode("s".repeat(16) + "e".repeat(16));
    for (const alg of ["HS384", "HS512"]) {
      const token = await new SignJWT(claims()).setProtectedHeader({
        alg,
        kid: "k1",
        typ: "at+jwt",
      })
        .sign(raw);
      assert.equal(
        (await errorOf(verifyAccessToken(token, keys, { clock }))).code,
        "token-invalid",
      );
    }
    const none = `${
      btoa(JSON.stringify({ alg: "none", kid: "k1", typ: "at+jwt" })).replace(/=+$/, "")
    }.${btoa(JSON.stringify(claims())).replace(/=+$/, "")}.`;
    assert.equal((await errorOf(verifyAccessToken(none, keys, { clock }))).code, "token-invalid");
  });

  it("RFC 8725 §3.5 (sufficient key entropy/length): an HS256 secret under 32 bytes is refused", async () => {
    for (const secret of ["", "short", "x".repeat(31), new Uint8Array(31)]) {
      const error = await errorOf(AccessTokenKey.import({ kid: "k", secret }));
      assert.equal(error.code, "invalid-argument");
    }
    assert.equal((await AccessTokenKey.import({ kid: "k", secret: new Uint8Array(32) })).kid, "k");
  });

  it("RFC 8725 §3.8/§3.9 (issuer and audience validation): a wrong or missing iss/aud is refused", async () => {
    const signed = await signAccessToken(keys, { sub: "ada", sid: "s1" }, {
      clock,
      issuer: "https://a.example",
      audience: "api-a",
    });
    const ok = { clock, issuer: "https://a.example", audience: "api-a" };
    assert.equal((await verifyAccessToken(signed.token, keys, ok)).sub, "ada");
    for (const wrong of [{ ...ok, issuer: "https://b.example" }, { ...ok, audience: "api-b" }]) {
      assert.equal(
        (await errorOf(verifyAccessToken(signed.token, keys, wrong))).code,
        "token-invalid",
      );
    }
    const bare = await signAccessToken(keys, { sub: "ada", sid: "s1" }, { clock });
    assert.equal((await errorOf(verifyAccessToken(bare.token, keys, ok))).code, "token-invalid");
  });

  it("RFC 8725 §3.11 (explicit typing): only typ at+jwt is accepted, so an ID token or other JWT cannot pass", async () => {
    for (const typ of [undefined, "JWT", "jwt", "id_token+jwt", "application/at+jwt+x"]) {
      const header = { alg: "HS256", kid: "k1", ...(typ === undefined ? {} : { typ }) };
      const token = await new SignJWT(claims()).setProtectedHeader(header).sign(key.signingKey);
      assert.equal(
        (await errorOf(verifyAccessToken(token, keys, { clock }))).code,
        "token-invalid",
        String(typ),
      );
    }
  });

  it("RFC 8725 §3.10 (do not trust received claims): kid only selects among configured keys", async () => {
    const otherKey = await AccessTokenKey.generate("k2", { random: seededRandom(99) });
    for (const kid of ["../../k1", "k1' OR '1'='1", "k2", "", "K1", "__proto__", "constructor"]) {
      const token = await new SignJWT(claims()).setProtectedHeader({
        alg: "HS256",
        kid,
        typ: "at+jwt",
      })
        .sign(otherKey.signingKey);
      assert.equal(
        (await errorOf(verifyAccessToken(token, keys, { clock }))).code,
        "token-invalid",
      );
    }
    for (const kid of [1, null, ["k1"], { k: 1 }]) {
      const token = await new SignJWT(claims()).setProtectedHeader({
        alg: "HS256",
        typ: "at+jwt",
        kid: kid as unknown as string,
      }).sign(key.signingKey);
      assert.equal(
        (await errorOf(verifyAccessToken(token, keys, { clock }))).code,
        "token-invalid",
      );
    }
  });

  describe("RFC 8725 §3.10 with jku/x5u/jwk headers", () => {
    let server: Server;
    let hits = 0;
    beforeEach(async () => {
      hits = 0;
      server = createServer((_, response) => {
        hits++;
        response.end("{}");
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    });
    afterEach(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it("RFC 8725 §3.10: jku and x5u are never fetched and an embedded jwk is never trusted", async () => {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/keys`;
      const attacker = await generateKeyPair("ES256", { extractable: true });
      const jwk = await exportJWK(attacker.publicKey);
      const headers = [
        { alg: "ES256", kid: "k1", typ: "at+jwt", jku: url },
        { alg: "ES256", kid: "k1", typ: "at+jwt", x5u: url },
        { alg: "ES256", kid: "k1", typ: "at+jwt", jwk },
        { alg: "ES256", typ: "at+jwt", jku: url, jwk },
      ];
      for (const header of headers) {
        const token = await new SignJWT(claims()).setProtectedHeader(header).sign(
          attacker.privateKey,
        );
        assert.equal(
          (await errorOf(verifyAccessToken(token, keys, { clock }))).code,
          "token-invalid",
        );
      }
      // A token signed by the real key with a jku header is still judged by the configured key only.
      const honest = await new SignJWT(claims())
        .setProtectedHeader({ alg: "HS256", kid: "k1", typ: "at+jwt", jku: url, x5u: url })
        .sign(key.signingKey);
      assert.equal((await verifyAccessToken(honest, keys, { clock })).sub, "ada");
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(hits, 0);
    });
  });
});

describe("security matrix: RFC 9700 (refresh tokens)", () => {
  for (const maker of STORES) {
    it(`RFC 9700 §4.14.2 (refresh token rotation): every use issues a new refresh token and kills the old one (${maker.name})`, async () => {
      const w = await world(maker, { refresh: { graceMs: 0 } });
      let token = (await w.manager.loginWithTokens("ada")).refreshToken;
      const seen = new Set([token]);
      for (let i = 0; i < 5; i++) {
        w.clock.advance(1_000);
        const next = await w.manager.refresh(token);
        assert.ok(next.refreshToken !== null && !seen.has(next.refreshToken));
        seen.add(next.refreshToken);
        token = next.refreshToken;
      }
    });

    it(`RFC 9700 §4.14.2 (reuse detection): presenting a rotated-away refresh token revokes the whole family (${maker.name})`, async () => {
      const w = await world(maker, { refresh: { graceMs: 0 } });
      const login = await w.manager.loginWithTokens("ada");
      w.clock.advance(1_000);
      const next = await w.manager.refresh(login.refreshToken);
      assert.equal((await errorOf(w.manager.refresh(login.refreshToken))).code, "session-reused");
      assert.ok((await errorOf(w.manager.refresh(next.refreshToken!))).code !== undefined);
      assert.equal(await w.store.get(login.session.id), null);
      assert.equal(
        (await errorOf(w.manager.verifyAccessToken(next.accessToken.token))).code,
        "token-revoked",
      );
      assert.ok(w.events.some((e) => e.type === "reuse-detected"));
    });

    it(`RFC 9700 §4.14.2 (grace window, when configured): only the immediate predecessor is accepted, only inside the window (${maker.name})`, async () => {
      const w = await world(maker, { refresh: { graceMs: 10_000 } });
      const t0 = (await w.manager.loginWithTokens("ada")).refreshToken;
      const t1 = (await w.manager.refresh(t0)).refreshToken!;
      const t2 = (await w.manager.refresh(t1)).refreshToken!;
      // t1 is the immediate predecessor of t2: inside the window it refreshes without rotating.
      const again = await w.manager.refresh(t1);
      assert.equal(again.refreshToken, null);
      // t0 is older: reuse, the family dies.
      assert.equal((await errorOf(w.manager.refresh(t0))).code, "session-reused");
      assert.ok((await errorOf(w.manager.refresh(t2))).code !== undefined);

      const u0 = (await w.manager.loginWithTokens("bob")).refreshToken;
      const u1 = (await w.manager.refresh(u0)).refreshToken!;
      w.clock.advance(10_000);
      assert.equal((await errorOf(w.manager.refresh(u0))).code, "session-reused");
      assert.ok((await errorOf(w.manager.refresh(u1))).code !== undefined);
    });

    it(`RFC 9700 §4.14.2 (inactivity expiry): a refresh token unused for its idle TTL is dead (${maker.name})`, async () => {
      const w = await world(maker, {
        refresh: { idleTtlMs: 24 * HOUR, absoluteTtlMs: 90 * 24 * HOUR },
      });
      const login = await w.manager.loginWithTokens("ada");
      w.clock.advance(24 * HOUR - 1_000);
      const next = await w.manager.refresh(login.refreshToken);
      w.clock.advance(24 * HOUR);
      assert.equal((await errorOf(w.manager.refresh(next.refreshToken!))).code, "session-invalid");
    });
  }
});

describe("security matrix: nothing secret in what the library emits", () => {
  it("OWASP-SM 'Logging Sessions Life Cycle' / SessionError contract: no credential, secret or token in any message, cause, event, log line or toString", async () => {
    const { leaks, haystacks, needles } = await runAllFlows();
    assert.ok(needles >= 30, `only ${needles} secret values were produced`);
    assert.ok(haystacks >= 100, `only ${haystacks} emitted texts were searched`);
    assert.deepEqual(leaks, []);
  });
});
