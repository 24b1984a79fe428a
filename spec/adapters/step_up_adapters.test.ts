// Step-up re-authentication through the Hono and Express adapters, over real HTTP for Express:
// a sensitive route lets a fresh login through, answers 403 (or the app's onRequired answer) once
// the proof is maxAgeMs old, keeps the session valid meanwhile, and lets the request through again
// after reauthenticate, which rotates the cookie (one Set-Cookie).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import express, { type Request, type Response } from "express";
import { Hono } from "hono";
import * as honoAdapter from "../../src/adapters/hono.ts";
import * as expressAdapter from "../../src/adapters/express.ts";
import { ManualClock } from "../../src/core/clock.ts";
import { SessionManager } from "../../src/manager/manager.ts";
import { MemoryStore } from "../../src/stores/memory_store.ts";
import { setCookiesNamed, valueOf } from "../_support/_adapter_helpers.ts";

const NAME = "__Host-session";
const MAX_AGE = 5 * 60_000;

function managerWithClock() {
  const clock = new ManualClock(1_900_000_000_000);
  return { clock, manager: new SessionManager({ store: new MemoryStore({ clock }), clock }) };
}

type Send = (path: string, credential?: string, method?: string) => Promise<{
  status: number;
  body: string;
  cookies: string[];
}>;

function honoServer(manager: SessionManager): Send {
  const app = new Hono<honoAdapter.SessionEnv>();
  app.use(honoAdapter.sessionMiddleware(manager));
  app.onError(honoAdapter.sessionErrorHandler());
  app.post("/login", async (c) => (await honoAdapter.login(c, "ada"), c.text("in")));
  app.post("/anonymous", async (c) => (await honoAdapter.createAnonymous(c), c.text("anon")));
  app.post("/confirm", async (c) => {
    const { session } = await honoAdapter.reauthenticate(c);
    return c.text(String(session.authenticatedAt === c.get("session")?.authenticatedAt));
  });
  app.get("/devices", honoAdapter.requireRecentAuthentication(MAX_AGE), (c) => c.text("devices"));
  app.get(
    "/security",
    honoAdapter.requireRecentAuthentication(MAX_AGE, {
      onRequired: (c) => c.redirect("/confirm-password?next=/security", 303),
    }),
    (c) => c.text("security"),
  );
  return async (path, credential, method = "GET") => {
    const res = await app.request(`https://app.example.com${path}`, {
      method,
      redirect: "manual",
      headers: credential === undefined ? {} : { cookie: `${NAME}=${credential}` },
    });
    return { status: res.status, body: await res.text(), cookies: res.headers.getSetCookie() };
  };
}

async function expressServer(manager: SessionManager, run: (send: Send) => Promise<void>) {
  const app = express();
  app.use(expressAdapter.sessionMiddleware(manager));
  app.post("/login", async (req: Request, res: Response) => {
    await expressAdapter.login(req, "ada");
    res.send("in");
  });
  app.post("/anonymous", async (req: Request, res: Response) => {
    await expressAdapter.createAnonymous(req);
    res.send("anon");
  });
  app.post("/confirm", async (req: Request, res: Response) => {
    const { session } = await expressAdapter.reauthenticate(req);
    const onRequest = (req as expressAdapter.SessionRequest<Request>).session;
    res.send(String(session.authenticatedAt === onRequest?.authenticatedAt));
  });
  app.get(
    "/devices",
    expressAdapter.requireRecentAuthentication(MAX_AGE),
    (_req: Request, res: Response) => void res.send("devices"),
  );
  app.get(
    "/security",
    expressAdapter.requireRecentAuthentication(MAX_AGE, {
      onRequired: (_req, res) => {
        res.statusCode = 303;
        res.setHeader("location", "/confirm-password?next=/security");
        res.end();
      },
    }),
    (_req: Request, res: Response) => void res.send("security"),
  );
  app.use(expressAdapter.sessionErrorHandler());
  const server = app.listen(0, "127.0.0.1");
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const { port } = server.address() as AddressInfo;
  try {
    await run(async (path, credential, method = "GET") => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        redirect: "manual",
        headers: credential === undefined ? {} : { cookie: `${NAME}=${credential}` },
      });
      return { status: res.status, body: await res.text(), cookies: res.headers.getSetCookie() };
    });
  } finally {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
}

async function stepUpFlow(send: Send, clock: ManualClock, manager: SessionManager) {
  const login = await send("/login", undefined, "POST");
  const credential = valueOf(setCookiesNamed(login.cookies, NAME)[0]!);
  assert.equal((await send("/devices", credential)).status, 200, "a fresh login is a proof");
  clock.advance(MAX_AGE);
  const stale = await send("/devices", credential);
  assert.equal(stale.status, 403);
  assert.deepEqual(stale.cookies, [], "a stale proof keeps the session and its cookie");
  const redirected = await send("/security", credential);
  assert.equal(redirected.status, 303, "onRequired answers instead");
  assert.equal((await manager.validate(credential)).session.userId, "ada");
  const confirmed = await send("/confirm", credential, "POST");
  assert.equal(confirmed.body, "true", "the request's session is the re-authenticated one");
  const rotated = setCookiesNamed(confirmed.cookies, NAME);
  assert.equal(rotated.length, 1);
  const fresh = valueOf(rotated[0]!);
  assert.notEqual(fresh, credential, "re-authentication rotates the credential");
  assert.equal((await send("/devices", fresh)).body, "devices");
  assert.equal((await send("/devices")).status, 401, "no session: 401, not 403");
  const anon = await send("/anonymous", undefined, "POST");
  const anonymous = valueOf(setCookiesNamed(anon.cookies, NAME)[0]!);
  assert.equal(
    (await send("/devices", anonymous)).status,
    403,
    "an anonymous session has no proof",
  );
  assert.equal((await send("/confirm", anonymous, "POST")).status, 403);
}

describe("step-up through the adapters", () => {
  it("Hono: requireRecentAuthentication and reauthenticate", async () => {
    const { clock, manager } = managerWithClock();
    await stepUpFlow(honoServer(manager), clock, manager);
  });

  it("Express over real HTTP: requireRecentAuthentication and reauthenticate", async () => {
    const { clock, manager } = managerWithClock();
    await expressServer(manager, (send) => stepUpFlow(send, clock, manager));
  });
});
