// The Express 5 adapter over a real HTTP server on a free loopback port: req.session and
// res.locals.session, cookies after login / regenerate / logout, one Set-Cookie per name, invalid
// cookies deleted, store failure → 503.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import express, { type Request, type Response } from "express";
import {
  createAnonymous,
  login,
  logout,
  regenerate,
  sessionErrorHandler,
  sessionMiddleware,
  type SessionRequest,
} from "../../src/adapters/express.ts";
import type { SessionManager } from "../../src/manager/manager.ts";
import { deletes, setCookiesNamed, setup, valueOf } from "../_support/_adapter_helpers.ts";

const NAME = "__Host-session";

type Options = Parameters<typeof sessionMiddleware>[1];

async function withServer(
  manager: SessionManager,
  options: Options,
  run: (base: string, hooks: { late: (fn: () => void) => void }) => Promise<void>,
): Promise<void> {
  let beforeStore: () => void = () => {};
  const app = express();
  app.set("trust proxy", "loopback");
  app.use(sessionMiddleware(manager, options));
  app.get("/me", (req: Request, res: Response) => {
    const session = (req as SessionRequest<Request>).session;
    res.json({ userId: session?.userId ?? null, locals: res.locals.session?.id ?? null });
  });
  app.post("/login", async (req: Request, res: Response) => {
    beforeStore();
    const { session } = await login(req, "ada", { data: { n: 1 } });
    res.json({ id: session.id, onRequest: (req as SessionRequest<Request>).session?.id });
  });
  app.post("/anonymous", async (req: Request, res: Response) => {
    await createAnonymous(req, { data: { cart: [1] } });
    res.send("ok");
  });
  app.post("/login-keep-data", async (req: Request, res: Response) => {
    await login(req, "ada");
    res.send("ok");
  });
  app.post("/sudo", async (req: Request, res: Response) => {
    const result = await regenerate(req, { graceMs: 0 });
    res.json({ rotated: result.credential !== null });
  });
  app.post("/logout", async (req: Request, res: Response) => {
    beforeStore();
    res.json({ ended: await logout(req) });
  });
  app.post("/own-cookies", async (req: Request, res: Response) => {
    res.cookie("theme", "dark");
    res.append("set-cookie", `${NAME}=forged; Path=/; Secure; HttpOnly`);
    await login(req, "ada");
    await logout(req);
    await login(req, "ada");
    res.send("ok");
  });
  app.use(sessionErrorHandler());
  app.use((_error: unknown, _req: Request, res: Response, _next: () => void) => {
    res.status(500).send("error");
  });
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  try {
    await run(`http://127.0.0.1:${port}`, { late: (fn) => (beforeStore = fn) });
  } finally {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

async function send(base: string, path: string, init: RequestInit = {}) {
  const res = await fetch(`${base}${path}`, init);
  const cookies = res.headers.getSetCookie();
  const body = await res.text();
  return { res, body, cookies, session: setCookiesNamed(cookies, NAME) };
}

function withCookie(credential: string, init: RequestInit = {}): RequestInit {
  return { ...init, headers: { ...init.headers, cookie: `theme=dark; ${NAME}=${credential}` } };
}

const POST = { method: "POST" };

describe("Express sessionMiddleware", () => {
  it("sets req.session and res.locals.session to null without a credential", async () => {
    const { manager } = setup();
    await withServer(manager, {}, async (base) => {
      const { body, cookies } = await send(base, "/me");
      assert.deepEqual(JSON.parse(body), { userId: null, locals: null });
      assert.deepEqual(cookies, []);
    });
  });

  it("login sets one hardened cookie; the next request sees the session", async () => {
    const { manager } = setup();
    await withServer(manager, {}, async (base) => {
      const { body, cookies, session } = await send(base, "/login", POST);
      const { id, onRequest } = JSON.parse(body);
      assert.equal(onRequest, id);
      assert.equal(cookies.length, 1);
      assert.match(session[0]!, /; Path=\/; Secure; HttpOnly; SameSite=Strict$/);
      const me = await send(base, "/me", withCookie(valueOf(session[0]!)));
      assert.deepEqual(JSON.parse(me.body), { userId: "ada", locals: id });
      assert.deepEqual(me.cookies, []);
    });
  });

  it("login attaches the user to the anonymous session", async () => {
    const { manager } = setup();
    await withServer(manager, {}, async (base) => {
      const anon = valueOf((await send(base, "/anonymous", POST)).session[0]!);
      const { session } = await send(base, "/login-keep-data", withCookie(anon, POST));
      const { session: record } = await manager.validate(valueOf(session[0]!));
      assert.equal(record.userId, "ada");
      assert.deepEqual(record.data, { cart: [1] });
      await assert.rejects(manager.validate(anon), { code: "session-invalid" });
    });
  });

  it("regenerate sets the rotated cookie; the old credential dies", async () => {
    const { manager } = setup();
    await withServer(manager, {}, async (base) => {
      const credential = valueOf((await send(base, "/login", POST)).session[0]!);
      const { body, session } = await send(base, "/sudo", withCookie(credential, POST));
      assert.deepEqual(JSON.parse(body), { rotated: true });
      assert.equal(session.length, 1);
      const rotated = valueOf(session[0]!);
      assert.notEqual(rotated, credential);
      assert.equal((await manager.validate(rotated)).session.userId, "ada");
      await assert.rejects(manager.validate(credential));
    });
  });

  it("logout deletes the cookie and ends the session", async () => {
    const { manager } = setup();
    await withServer(manager, {}, async (base) => {
      const credential = valueOf((await send(base, "/login", POST)).session[0]!);
      const { body, session } = await send(base, "/logout", withCookie(credential, POST));
      assert.deepEqual(JSON.parse(body), { ended: true });
      assert.equal(session.length, 1);
      assert.ok(deletes(session[0]!));
      await assert.rejects(manager.validate(credential), { code: "session-invalid" });
    });
  });

  it("keeps exactly one Set-Cookie per name, the last decision winning", async () => {
    const { manager } = setup();
    await withServer(manager, {}, async (base) => {
      const { cookies, session } = await send(base, "/own-cookies", POST);
      assert.equal(setCookiesNamed(cookies, "theme").length, 1);
      assert.equal(session.length, 1);
      assert.equal((await manager.validate(valueOf(session[0]!))).session.userId, "ada");
    });
  });

  it("deletes an unknown or malformed session cookie and leaves others alone", async () => {
    const { manager } = setup();
    await withServer(manager, {}, async (base) => {
      const credential = valueOf((await send(base, "/login", POST)).session[0]!);
      await manager.logout(credential);
      for (const value of [credential, "garbage"]) {
        const { body, cookies, session } = await send(base, "/me", withCookie(value));
        assert.deepEqual(JSON.parse(body), { userId: null, locals: null });
        assert.equal(cookies.length, 1);
        assert.ok(deletes(session[0]!));
      }
    });
  });

  it("records req.ip and the User-Agent as device metadata by default", async () => {
    const { manager } = setup();
    await withServer(manager, {}, async (base) => {
      const { session } = await send(base, "/login", {
        method: "POST",
        headers: { "user-agent": "curl/8", "x-forwarded-for": "203.0.113.9" },
      });
      const { session: record } = await manager.validate(valueOf(session[0]!));
      assert.deepEqual(record.device, { userAgent: "curl/8", ip: "203.0.113.9" });
    });
  });

  it("accepts a Bearer credential when enabled", async () => {
    const { manager } = setup();
    await withServer(manager, { bearer: true }, async (base) => {
      const credential = valueOf((await send(base, "/login", POST)).session[0]!);
      const me = await send(base, "/me", { headers: { authorization: `Bearer ${credential}` } });
      assert.equal(JSON.parse(me.body).userId, "ada");
    });
  });

  it("answers 503 when the store is down while validating", async () => {
    const { manager, setDown } = setup();
    await withServer(manager, {}, async (base) => {
      const credential = valueOf((await send(base, "/login", POST)).session[0]!);
      setDown(true);
      const { res, cookies } = await send(base, "/me", withCookie(credential));
      setDown(false);
      assert.equal(res.status, 503);
      assert.deepEqual(cookies, []);
    });
  });

  it("answers 503 through sessionErrorHandler when the store fails in a handler", async () => {
    const { manager, setDown } = setup();
    await withServer(manager, {}, async (base, { late }) => {
      const credential = valueOf((await send(base, "/login", POST)).session[0]!);
      late(() => setDown(true));
      const failed = await send(base, "/login", withCookie(credential, POST));
      assert.equal(failed.res.status, 503);
      assert.deepEqual(failed.session, []);
      setDown(false);
      const out = await send(base, "/logout", withCookie(credential, POST));
      assert.equal(out.res.status, 503);
      assert.ok(deletes(out.session[0]!), "the client still forgets the session");
      setDown(false);
    });
  });
});
