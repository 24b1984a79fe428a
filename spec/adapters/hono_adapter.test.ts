// The Hono adapter: session on the context, cookies after login / regenerate / logout, one
// Set-Cookie per name, invalid cookies deleted, store failure → 503.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import {
  createAnonymous,
  login,
  logout,
  regenerate,
  requireSession,
  type SessionEnv,
  sessionMiddleware,
} from "../../src/adapters/hono.ts";
import type { SessionManager } from "../../src/manager/manager.ts";
import { deletes, pair, setCookiesNamed, setup, valueOf } from "../_support/_adapter_helpers.ts";

const NAME = "__Host-session";
const BASE = "https://app.example.com";

function appFor(manager: SessionManager, options: Parameters<typeof sessionMiddleware>[1] = {}) {
  const app = new Hono<SessionEnv>();
  app.use(sessionMiddleware(manager, options));
  app.get("/me", (c) => c.json({ userId: c.get("session")?.userId ?? null }));
  app.get("/private", (c) => c.text(requireSession(c).userId ?? ""));
  app.post("/login", async (c) => {
    const { session } = await login(c, "ada", { data: { n: 1 } });
    return c.json({ id: session.id, onContext: c.get("session")?.id === session.id });
  });
  app.post("/login-keep-data", async (c) => {
    await login(c, "ada");
    return c.text("ok");
  });
  app.post("/anonymous", async (c) => {
    await createAnonymous(c, { data: { cart: [1] } });
    return c.text("ok");
  });
  app.post("/sudo", async (c) => {
    const result = await regenerate(c, { graceMs: 0 });
    return c.json({ rotated: result.credential !== null });
  });
  app.post("/logout", async (c) => c.json({ ended: await logout(c), session: c.get("session") }));
  app.post("/login-then-logout", async (c) => {
    await login(c, "ada");
    await logout(c);
    return c.text("ok");
  });
  app.post("/own-cookies", async (c) => {
    c.header("set-cookie", "theme=dark; Path=/", { append: true });
    c.header("set-cookie", `${NAME}=forged; Path=/; Secure; HttpOnly`, { append: true });
    await login(c, "ada");
    return c.text("ok");
  });
  app.post("/redirect", async (c) => {
    await login(c, "ada");
    return Response.redirect(`${BASE}/me`, 303); // immutable headers
  });
  app.onError((error, c) => c.text(error.message, 500));
  return app;
}

async function send(app: Hono<SessionEnv>, path: string, init: RequestInit = {}) {
  const res = await app.request(`${BASE}${path}`, init);
  const cookies = res.headers.getSetCookie();
  return { res, cookies, session: setCookiesNamed(cookies, NAME) };
}

function withCookie(credential: string, init: RequestInit = {}): RequestInit {
  return { ...init, headers: { ...init.headers, cookie: `theme=dark; ${NAME}=${credential}` } };
}

async function loggedIn(app: Hono<SessionEnv>): Promise<string> {
  const { session } = await send(app, "/login", { method: "POST" });
  assert.equal(session.length, 1);
  return valueOf(session[0]!);
}

describe("Hono sessionMiddleware", () => {
  it("puts null on the context and writes no cookie without a credential", async () => {
    const { manager } = setup();
    const { res, cookies } = await send(appFor(manager), "/me");
    assert.deepEqual(await res.json(), { userId: null });
    assert.deepEqual(cookies, []);
  });

  it("login sets one hardened cookie and the session on the context", async () => {
    const { manager } = setup();
    const app = appFor(manager);
    const { res, cookies, session } = await send(app, "/login", { method: "POST" });
    assert.equal((await res.json()).onContext, true);
    assert.equal(cookies.length, 1);
    assert.match(session[0]!, /; Path=\/; Secure; HttpOnly; SameSite=Strict$/);
    const me = await send(app, "/me", withCookie(valueOf(session[0]!)));
    assert.deepEqual(await me.res.json(), { userId: "ada" });
    assert.deepEqual(me.cookies, [], "a valid session writes no cookie");
  });

  it("login attaches the user to the anonymous session and rotates its credential", async () => {
    const { manager } = setup();
    const app = appFor(manager);
    const anon = valueOf((await send(app, "/anonymous", { method: "POST" })).session[0]!);
    const { session } = await send(app, "/login-keep-data", withCookie(anon, { method: "POST" }));
    const credential = valueOf(session[0]!);
    assert.notEqual(credential, anon);
    const { session: record } = await manager.validate(credential);
    assert.equal(record.userId, "ada");
    assert.deepEqual(record.data, { cart: [1] }, "the anonymous session's data came along");
    await assert.rejects(manager.validate(anon), { code: "session-invalid" });
  });

  it("regenerate sets the rotated cookie; the old credential dies", async () => {
    const { manager } = setup();
    const app = appFor(manager);
    const credential = await loggedIn(app);
    const { res, session } = await send(app, "/sudo", withCookie(credential, { method: "POST" }));
    assert.deepEqual(await res.json(), { rotated: true });
    assert.equal(session.length, 1);
    const rotated = valueOf(session[0]!);
    assert.notEqual(rotated, credential);
    assert.equal((await manager.validate(rotated)).session.userId, "ada");
    await assert.rejects(manager.validate(credential));
  });

  it("regenerate without a session is an error, not a cookie", async () => {
    const { manager } = setup();
    const { res, session } = await send(appFor(manager), "/sudo", { method: "POST" });
    assert.equal(res.status, 500);
    assert.deepEqual(session, []);
  });

  it("logout deletes the cookie and ends the session", async () => {
    const { manager } = setup();
    const app = appFor(manager);
    const credential = await loggedIn(app);
    const { res, session } = await send(app, "/logout", withCookie(credential, { method: "POST" }));
    assert.deepEqual(await res.json(), { ended: true, session: null });
    assert.equal(session.length, 1);
    assert.ok(deletes(session[0]!));
    await assert.rejects(manager.validate(credential), { code: "session-invalid" });
  });

  it("writes exactly one Set-Cookie per name, the last decision winning", async () => {
    const { manager } = setup();
    const app = appFor(manager);
    const both = await send(app, "/login-then-logout", { method: "POST" });
    assert.equal(both.session.length, 1);
    assert.ok(deletes(both.session[0]!));
    const own = await send(app, "/own-cookies", { method: "POST" });
    assert.deepEqual(setCookiesNamed(own.cookies, "theme"), ["theme=dark; Path=/"]);
    assert.equal(own.session.length, 1);
    assert.notEqual(pair(own.session[0]!), `${NAME}=forged`);
    assert.equal((await manager.validate(valueOf(own.session[0]!))).session.userId, "ada");
  });

  it("sets the cookie on a response with immutable headers", async () => {
    const { manager } = setup();
    const { res, session } = await send(appFor(manager), "/redirect", { method: "POST" });
    assert.equal(res.status, 303);
    assert.equal(session.length, 1);
  });

  it("deletes an unknown, expired or malformed session cookie and leaves others alone", async () => {
    const { manager } = setup();
    const app = appFor(manager);
    const credential = await loggedIn(app);
    await manager.logout(credential);
    for (const value of [credential, "garbage", ""]) {
      const { res, cookies, session } = await send(app, "/me", withCookie(value));
      assert.deepEqual(await res.json(), { userId: null });
      assert.equal(cookies.length, 1, `only the session cookie is touched (${value})`);
      assert.ok(deletes(session[0]!));
    }
    const guarded = await send(app, "/private", withCookie(credential));
    assert.equal(guarded.res.status, 500);
  });

  it("a session bound to a User-Agent is null from another one, and its cookie deleted", async () => {
    const { manager } = setup({ binding: { userAgent: true } });
    const app = appFor(manager);
    const ua = { "user-agent": "Firefox/1" };
    const { session } = await send(app, "/login", { method: "POST", headers: ua });
    const credential = valueOf(session[0]!);
    const same = await send(app, "/me", withCookie(credential, { headers: ua }));
    assert.deepEqual(await same.res.json(), { userId: "ada" });
    const other = await send(
      app,
      "/me",
      withCookie(credential, { headers: { "user-agent": "x" } }),
    );
    assert.deepEqual(await other.res.json(), { userId: null });
    assert.ok(deletes(other.session[0]!));
  });

  it("records the IP from the ip option as device metadata", async () => {
    const { manager } = setup();
    const app = appFor(manager, { ip: (c) => c.req.header("x-test-ip") });
    const { session } = await send(app, "/login", {
      method: "POST",
      headers: { "x-test-ip": "203.0.113.7", "user-agent": "curl/8" },
    });
    const { session: record } = await manager.validate(valueOf(session[0]!));
    assert.deepEqual(record.device, { userAgent: "curl/8", ip: "203.0.113.7" });
  });

  it("accepts a Bearer credential when enabled, without touching cookies", async () => {
    const { manager } = setup();
    const app = appFor(manager, { bearer: true });
    const credential = await loggedIn(app);
    const auth = { authorization: `Bearer ${credential}` };
    const me = await send(app, "/me", { headers: auth });
    assert.deepEqual(await me.res.json(), { userId: "ada" });
    await manager.logout(credential);
    const dead = await send(app, "/me", { headers: auth });
    assert.deepEqual(await dead.res.json(), { userId: null });
    assert.deepEqual(dead.cookies, [], "no cookie to delete for a bearer client");
    const off = appFor(manager);
    const ignored = await send(off, "/me", { headers: { authorization: `Bearer ${credential}` } });
    assert.deepEqual(await ignored.res.json(), { userId: null });
  });

  it("answers 503 when the store is down while validating, never running the handler", async () => {
    const { manager, setDown } = setup();
    const app = appFor(manager);
    const credential = await loggedIn(app);
    setDown(true);
    const { res, cookies } = await send(app, "/me", withCookie(credential));
    assert.equal(res.status, 503);
    assert.deepEqual(cookies, [], "the cookie is kept: nothing was decided");
    setDown(false);
    assert.deepEqual(await (await send(app, "/me", withCookie(credential))).res.json(), {
      userId: "ada",
    });
  });

  it("answers 503 when the store fails inside a handler", async () => {
    const { manager, setDown } = setup();
    const credential = await loggedIn(appFor(manager));
    // Down after validation: the middleware passes, login inside the handler fails.
    const app = new Hono<SessionEnv>();
    app.use(sessionMiddleware(manager));
    app.onError((error, c) => c.text(error.message, 500));
    app.post("/late", async (c) => {
      setDown(true);
      try {
        await login(c, "bob");
      } finally {
        setDown(false);
      }
      return c.text("unreachable");
    });
    const late = await send(app, "/late", withCookie(credential, { method: "POST" }));
    assert.equal(late.res.status, 503);
    assert.deepEqual(late.session, []);
    const lateLogout = new Hono<SessionEnv>();
    lateLogout.use(sessionMiddleware(manager));
    lateLogout.onError((error, c) => c.text(error.message, 500));
    lateLogout.post("/logout", async (c) => {
      setDown(true);
      try {
        await logout(c);
      } finally {
        setDown(false);
      }
      return c.text("unreachable");
    });
    const out = await send(lateLogout, "/logout", withCookie(credential, { method: "POST" }));
    assert.equal(out.res.status, 503);
    assert.ok(deletes(out.session[0]!), "the client still forgets the session");
  });

  it("refuses a bad cookie configuration at startup", () => {
    const { manager } = setup();
    assert.throws(() => sessionMiddleware(manager, { cookieName: "bad name" }), {
      code: "invalid-cookie-name",
    });
    assert.throws(
      () => sessionMiddleware(manager, { cookieName: "__Host-x", cookie: { path: "/a" as "/" } }),
      { code: "cookie-prefix-violation" },
    );
  });

  it("helpers refuse a context the middleware did not see", async () => {
    const app = new Hono();
    app.post("/", async (c) => c.text(String(await logout(c as never))));
    app.onError((error, c) => c.text(error.message, 500));
    const res = await app.request(`${BASE}/`, { method: "POST" });
    assert.equal(res.status, 500);
    assert.match(await res.text(), /sessionMiddleware did not run/);
  });
});
