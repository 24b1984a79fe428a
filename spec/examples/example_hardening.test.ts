// The example app under hostile or unusual clients (issue 10): no 5xx for anything a client sends,
// no stack trace in the log for it, no-store on every page, a reason on the login page when a
// session died, a confirmation before revoking a device, and "remember me" bounded by the
// session's absolute lifetime.
import { afterEach, beforeEach, describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { CONFIRM_MAX_AGE_MS, createApp, createManager } from "../../examples/app.ts";
import { ManualClock, MemoryStore } from "../../mod.ts";
import { FIXED_SEED } from "../_support/_budget.ts";

const BASE = "http://localhost:8787";
const SAME = { origin: BASE, "sec-fetch-site": "same-origin" };
const COOKIE = "__Host-session";

type App = ReturnType<typeof createApp>;

async function logIn(app: App, extra: Record<string, string> = {}): Promise<string> {
  const res = await app.request(`${BASE}/login`, {
    method: "POST",
    body: new URLSearchParams({ username: "ada", password: "lovelace", ...extra }),
    headers: { ...SAME, "content-type": "application/x-www-form-urlencoded", "user-agent": "UA/1" },
  });
  assert.equal(res.status, 303);
  const set = res.headers.getSetCookie().find((c) => c.startsWith(`${COOKIE}=`))!;
  return set.split(";")[0]!;
}

// Every console.error during a test (Hono logs unexpected errors with their stack there).
let logged: unknown[][] = [];
const original = console.error;
beforeEach(() => {
  logged = [];
  console.error = (...args: unknown[]) => void logged.push(args);
});
afterEach(() => {
  console.error = original;
});

const BODIES: Record<string, { type?: string; body: string }> = {
  json: { type: "application/json", body: '{"username":"ada","password":"lovelace"}' },
  text: { type: "text/plain", body: "username=ada&password=lovelace" },
  xml: { type: "application/xml", body: "<login><username>ada</username></login>" },
  none: { body: "username=ada&password=lovelace" },
  multipartWithoutBoundary: { type: "multipart/form-data", body: "--x\r\n\r\n--x--" },
  multipartBadBody: { type: "multipart/form-data; boundary=zz", body: "not a multipart body" },
  huge: { type: "application/x-www-form-urlencoded", body: "password=" + "x".repeat(100_000) },
};

describe("example app: what clients send", () => {
  it("POST /login and /confirm-password answer 4xx to bodies that are not forms", async () => {
    const app = createApp({ manager: createManager() });
    const cookie = await logIn(app);
    for (const path of ["/login", "/confirm-password"]) {
      for (const [name, { type, body }] of Object.entries(BODIES)) {
        const res = await app.request(`${BASE}${path}`, {
          method: "POST",
          body,
          headers: { ...SAME, cookie, ...(type === undefined ? {} : { "content-type": type }) },
        });
        assert.ok(res.status >= 400 && res.status < 500, `${path} ${name}: ${res.status}`);
      }
    }
    assert.deepEqual(logged, [], "a client error reached the log");
  });

  it("a malformed or over-long device id answers 404, never 500", async () => {
    const app = createApp({ manager: createManager() });
    const cookie = await logIn(app);
    for (const id of ["a.b", "x".repeat(65), "x".repeat(5_000), "%2e%2e", "no%20such", "é"]) {
      for (const method of ["GET", "POST"]) {
        const res = await app.request(`${BASE}/devices/${id}/revoke`, {
          method,
          headers: { ...SAME, cookie },
        });
        assert.equal(res.status, 404, `${method} ${id.slice(0, 20)}`);
      }
    }
    assert.deepEqual(logged, []);
  });

  it("answers no 5xx to a bounded fuzz of methods, paths, content types, bodies and cookies", async () => {
    const app = createApp({ manager: createManager() });
    const cookie = await logIn(app);
    const path = fc.constantFrom(
      "/",
      "/login",
      "/logout",
      "/dashboard",
      "/devices",
      "/devices/revoke-others",
      "/confirm-password",
      "/nope",
    ).chain((p) =>
      fc.oneof(
        { weight: 3, arbitrary: fc.constant(p) },
        {
          weight: 2,
          arbitrary: fc.string({ maxLength: 80 }).map((id) =>
            `/devices/${encodeURIComponent(id)}/revoke`
          ),
        },
        { weight: 1, arbitrary: fc.constantFrom("/devices/%ZZ/revoke", "/login?ended=%ZZ") },
      )
    );
    const request = fc.record({
      method: fc.constantFrom("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"),
      path,
      type: fc.option(
        fc.constantFrom(
          "application/x-www-form-urlencoded",
          "multipart/form-data",
          "multipart/form-data; boundary=b",
          "application/json",
          "text/plain",
          "application/xml",
          "text/html; charset=utf-8",
          "application/x-www-form-urlencoded; charset=bogus",
        ),
        { nil: undefined },
      ),
      body: fc.oneof(
        fc.string({ maxLength: 200 }),
        fc.constantFrom("username=ada&password=lovelace", "password=lovelace", "%%%", "--b--"),
      ),
      cookie: fc.constantFrom(
        cookie,
        "",
        `${COOKIE}=garbage`,
        `${COOKIE}=${"A".repeat(5000)}`,
        `${COOKIE}=a.b; ${COOKIE}=c.d`,
      ),
      userAgent: fc.option(fc.string({ maxLength: 600 }), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const hasBody = r.method !== "GET" && r.method !== "HEAD";
        const res = await app.request(`${BASE}${r.path}`, {
          method: r.method,
          ...(hasBody ? { body: r.body } : {}),
          headers: {
            ...SAME,
            ...(r.cookie === "" ? {} : { cookie: r.cookie }),
            ...(r.type === undefined ? {} : { "content-type": r.type }),
            ...(r.userAgent === undefined ? {} : { "user-agent": r.userAgent }),
          },
        });
        await res.arrayBuffer();
        assert.ok(res.status < 500, `${r.method} ${r.path} answered ${res.status}`);
      }),
      { seed: FIXED_SEED, numRuns: 300 },
    );
    assert.deepEqual(logged, [], "a client error reached the log");
  });
});

describe("example app: pages", () => {
  it("every page, signed in or not, is Cache-Control: no-store", async () => {
    const app = createApp({ manager: createManager() });
    const cookie = await logIn(app);
    for (const path of ["/dashboard", "/devices", "/login", "/"]) {
      for (const headers of [{ cookie }, {}]) {
        const res = await app.request(`${BASE}${path}`, { headers });
        assert.equal(res.headers.get("cache-control"), "no-store", `${path}`);
      }
    }
  });

  it("a revoked device lands on the login page saying it was signed out elsewhere", async () => {
    const manager = createManager();
    const app = createApp({ manager });
    const laptop = await logIn(app);
    const phone = await logIn(app);
    const phoneId = decodeURIComponent(phone.split("=")[1]!).split(".")[0]!;
    assert.equal(await manager.revokeSession("ada", phoneId), true);
    const res = await app.request(`${BASE}/dashboard`, { headers: { cookie: phone } });
    assert.equal(res.status, 303);
    assert.equal(res.headers.get("location"), "/login?ended=revoked");
    const login = await app.request(`${BASE}/login?ended=revoked`);
    assert.match(await login.text(), /signed out from another device/);
    const still = await app.request(`${BASE}/dashboard`, { headers: { cookie: laptop } });
    assert.equal(still.status, 200);
  });

  it("an expired session lands on the login page saying it expired", async () => {
    const clock = new ManualClock(Date.now());
    const app = createApp({ manager: createManager(new MemoryStore({ clock })) });
    const cookie = await logIn(app);
    clock.advance(2 * 3_600_000);
    const res = await app.request(`${BASE}/devices`, { headers: { cookie } });
    assert.equal(res.headers.get("location"), "/login?ended=expired");
    assert.match(await (await app.request(`${BASE}/login?ended=expired`)).text(), /expired/);
    const plain = await app.request(`${BASE}/login?ended=<script>`);
    assert.doesNotMatch(await plain.text(), /id="ended"|<script>/);
  });

  it("revoking a device asks for confirmation first; the confirmed post revokes it", async () => {
    const manager = createManager();
    const app = createApp({ manager });
    const laptop = await logIn(app);
    const phone = await logIn(app);
    const phoneId = decodeURIComponent(phone.split("=")[1]!).split(".")[0]!;
    const devices = await (await app.request(`${BASE}/devices`, { headers: { cookie: laptop } }))
      .text();
    assert.match(devices, new RegExp(`<form method="get"\\s+action="/devices/${phoneId}/revoke"`));
    const ask = await app.request(`${BASE}/devices/${phoneId}/revoke`, {
      headers: { cookie: laptop },
    });
    assert.equal(ask.status, 200);
    assert.match(await ask.text(), /id="confirm-revoke"/);
    assert.equal((await manager.listSessions("ada")).length, 2, "asking revoked it");
    const done = await app.request(`${BASE}/devices/${phoneId}/revoke`, {
      method: "POST",
      headers: { ...SAME, cookie: laptop },
    });
    assert.equal(done.status, 303);
    assert.equal((await manager.listSessions("ada")).length, 1);
  });

  it('"sign out everywhere else" shows only when there is another device', async () => {
    const app = createApp({ manager: createManager() });
    const first = await logIn(app);
    const alone = await (await app.request(`${BASE}/devices`, { headers: { cookie: first } }))
      .text();
    assert.doesNotMatch(alone, /id="revoke-others"/);
    await logIn(app);
    const two = await (await app.request(`${BASE}/devices`, { headers: { cookie: first } })).text();
    assert.match(two, /id="revoke-others"/);
  });

  it('"remember me" gives a persistent cookie that never outlives the session', async () => {
    const manager = createManager();
    const app = createApp({ manager });
    const before = Date.now();
    const res = await app.request(`${BASE}/login`, {
      method: "POST",
      body: new URLSearchParams({ username: "ada", password: "lovelace", remember: "1" }),
      headers: { ...SAME, "content-type": "application/x-www-form-urlencoded" },
    });
    const after = Date.now();
    const set = res.headers.getSetCookie().find((c) => c.startsWith(`${COOKIE}=`))!;
    const maxAge = Number(/; Max-Age=(\d+)/.exec(set)?.[1]);
    const [session] = await manager.listSessions("ada");
    // The cookie was set between `before` and `after`; it must die no later than the session.
    const ends = session!.absoluteExpiresAt;
    assert.ok(maxAge * 1000 <= ends - before, `Max-Age ${maxAge} outlives the session`);
    assert.ok(maxAge * 1000 >= ends - after - 1000, `Max-Age ${maxAge} is needlessly short`);
    assert.match(set, /; Secure; HttpOnly; SameSite=Strict$/);
    // Regenerating the session (password confirmation) keeps it persistent.
    const cookie = set.split(";")[0]!;
    const confirmed = await app.request(`${BASE}/confirm-password`, {
      method: "POST",
      body: new URLSearchParams({ password: "lovelace" }),
      headers: { ...SAME, cookie, "content-type": "application/x-www-form-urlencoded" },
    });
    const again = confirmed.headers.getSetCookie().find((c) => c.startsWith(`${COOKIE}=`))!;
    assert.match(again, /; Max-Age=\d+;/);
    const plain = await logIn(app);
    assert.ok(plain.length > 0);
    const without = await app.request(`${BASE}/login`, {
      method: "POST",
      body: new URLSearchParams({ username: "bob", password: "builder" }),
      headers: { ...SAME, "content-type": "application/x-www-form-urlencoded" },
    });
    assert.doesNotMatch(without.headers.getSetCookie().join("\n"), /Max-Age/);
  });
});

describe("example app: step-up before the devices page", () => {
  it("an old proof leads to the password confirmation, which re-authenticates and comes back", async () => {
    const clock = new ManualClock(Date.now());
    const manager = createManager(new MemoryStore({ clock }), clock);
    const app = createApp({ manager });
    const cookie = await logIn(app);
    const fresh = await app.request(`${BASE}/devices`, { headers: { cookie } });
    assert.equal(fresh.status, 200, "the login is a proof");
    clock.advance(CONFIRM_MAX_AGE_MS);
    for (
      const [method, path] of [["GET", "/devices"], ["POST", "/devices/revoke-others"]] as const
    ) {
      const stale = await app.request(`${BASE}${path}`, {
        method,
        headers: { ...SAME, cookie },
      });
      assert.equal(stale.status, 303, `${method} ${path}`);
      assert.equal(stale.headers.get("location"), "/confirm-password?next=devices");
    }
    const ask = await app.request(`${BASE}/confirm-password?next=devices`, { headers: { cookie } });
    assert.match(await ask.text(), /id="confirm-needed"/);
    const wrong = await app.request(`${BASE}/confirm-password`, {
      method: "POST",
      body: new URLSearchParams({ password: "wrong", next: "devices" }),
      headers: { ...SAME, cookie, "content-type": "application/x-www-form-urlencoded" },
    });
    assert.equal(wrong.status, 401);
    const confirmed = await app.request(`${BASE}/confirm-password`, {
      method: "POST",
      body: new URLSearchParams({ password: "lovelace", next: "devices" }),
      headers: { ...SAME, cookie, "content-type": "application/x-www-form-urlencoded" },
    });
    assert.equal(confirmed.status, 303);
    assert.equal(confirmed.headers.get("location"), "/devices");
    const rotated = confirmed.headers.getSetCookie().find((c) => c.startsWith(`${COOKIE}=`))!;
    const next = rotated.split(";")[0]!;
    assert.notEqual(next, cookie, "the confirmation regenerates the session");
    const back = await app.request(`${BASE}/devices`, { headers: { cookie: next } });
    assert.equal(back.status, 200);
    assert.match(await back.text(), /id="devices"/);
    assert.deepEqual(logged, []);
  });
});
