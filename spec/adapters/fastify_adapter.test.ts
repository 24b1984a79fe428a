// The Fastify 5 adapter, each case twice: through `app.inject` and over a real HTTP server on a
// free loopback port. request.session, cookies after login / regenerate / reauthenticate /
// logout, one Set-Cookie per name, invalid cookies deleted, step-up preHandler, store failure →
// 503, the plugin's decoration visible outside its registration scope.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import type { AddressInfo } from "node:net";
import { fastify, type FastifyInstance } from "fastify";
import {
  createAnonymous,
  login,
  logout,
  reauthenticate,
  regenerate,
  requireRecentAuthentication,
  requireSession,
  sessionErrorHandler,
  sessionPlugin,
} from "../../src/adapters/fastify.ts";
import { ManualClock } from "../../src/core/clock.ts";
import type { SessionManager } from "../../src/manager/manager.ts";
import { MemoryStore } from "../../src/stores/memory_store.ts";
import { SessionManager as Manager } from "../../src/manager/manager.ts";
import { deletes, setCookiesNamed, setup, valueOf } from "../_support/_adapter_helpers.ts";
import "../_support/_fastify_session.ts";

const NAME = "__Host-session";
type Options = Parameters<typeof sessionPlugin>[1];
interface Sent {
  readonly status: number;
  readonly body: string;
  readonly cookies: string[];
  readonly session: string[];
  readonly headers: Record<string, string>;
}
type Send = (path: string, init?: { method?: string; headers?: Record<string, string> }) => Promise<
  Sent
>;

function routes(app: FastifyInstance, late: { beforeStore: () => void }): void {
  app.get("/me", async (request) => ({ userId: request.session?.userId ?? null }));
  app.post("/login", async (request) => {
    late.beforeStore();
    const { session } = await login(request, "ada", { data: { n: 1 } });
    return { id: session.id, onRequest: request.session?.id };
  });
  app.post("/anonymous", async (request) => {
    await createAnonymous(request, { data: { cart: [1] } });
    return "ok";
  });
  app.post("/login-keep-data", async (request) => (await login(request, "ada"), "ok"));
  app.post("/sudo", async (request) => {
    const result = await regenerate(request, { graceMs: 0 });
    return { rotated: result.credential !== null };
  });
  app.post("/confirm", async (request) => {
    const { session } = await reauthenticate(request, { graceMs: 0 });
    return { authenticatedAt: session.authenticatedAt };
  });
  app.post("/password", { preHandler: requireRecentAuthentication(60_000) }, async () => "ok");
  app.post("/password-redirect", {
    preHandler: requireRecentAuthentication(60_000, {
      onRequired: (_request, reply) => reply.redirect("/confirm", 303),
    }),
  }, async () => "ok");
  app.get("/required", async (request) => requireSession(request).userId);
  app.post("/logout", async (request) => {
    late.beforeStore();
    return { ended: await logout(request) };
  });
  app.post("/own-cookies", async (request, reply) => {
    reply.header("set-cookie", "theme=dark; Path=/");
    reply.header("set-cookie", `${NAME}=forged; Path=/; Secure; HttpOnly`);
    await login(request, "ada");
    await logout(request);
    await login(request, "ada");
    return "ok";
  });
  app.get("/boom", async () => {
    throw new Error("not a session error");
  });
}

type Transport = "inject" | "server";

async function withApp(
  transport: Transport,
  manager: SessionManager,
  options: Options,
  run: (send: Send, hooks: { late: (fn: () => void) => void }) => Promise<void>,
): Promise<void> {
  const late = { beforeStore: () => {} };
  const app = fastify({ trustProxy: true });
  app.setErrorHandler(sessionErrorHandler());
  // Registered in a child scope: the plugin is not encapsulated, so routes in a sibling scope
  // still see request.session.
  await app.register(sessionPlugin(manager, options));
  await app.register(async (scope) => routes(scope, late));
  let send: Send;
  if (transport === "inject") {
    await app.ready();
    send = async (path, init = {}) => {
      const res = await app.inject({
        url: path,
        method: (init.method ?? "GET") as "GET",
        headers: init.headers ?? {},
      });
      const raw = res.headers["set-cookie"];
      const cookies = raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)];
      const headers = Object.fromEntries(
        Object.entries(res.headers).map(([k, v]) => [k, String(v)]),
      );
      return {
        status: res.statusCode,
        body: res.body,
        cookies,
        session: setCookiesNamed(cookies, NAME),
        headers,
      };
    };
  } else {
    await app.listen({ port: 0, host: "127.0.0.1" });
    const { port } = app.server.address() as AddressInfo;
    send = async (path, init = {}) => {
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { ...init, redirect: "manual" });
      const cookies = res.headers.getSetCookie();
      return {
        status: res.status,
        body: await res.text(),
        cookies,
        session: setCookiesNamed(cookies, NAME),
        headers: Object.fromEntries(res.headers),
      };
    };
  }
  try {
    await run(send, { late: (fn) => (late.beforeStore = fn) });
  } finally {
    await app.close();
  }
}

function withCookie(credential: string, method = "GET") {
  return { method, headers: { cookie: `theme=dark; ${NAME}=${credential}` } };
}

const POST = { method: "POST" };

for (const transport of ["inject", "server"] as const) {
  describe(`Fastify sessionPlugin (${transport})`, () => {
    const each = (
      name: string,
      run: (send: Send, manager: SessionManager, setDown: (down: boolean) => void, hooks: {
        late: (fn: () => void) => void;
      }) => Promise<void>,
      options: Options = {},
    ) =>
      it(name, async () => {
        const { manager, setDown } = setup();
        await withApp(transport, manager, options, (send, hooks) =>
          run(send, manager, setDown, hooks));
      });

    each("sets request.session to null without a credential", async (send) => {
      const { body, cookies } = await send("/me");
      assert.deepEqual(JSON.parse(body), { userId: null });
      assert.deepEqual(cookies, []);
    });

    each("login sets one hardened cookie; the next request sees the session", async (send) => {
      const { body, cookies, session } = await send("/login", POST);
      const { id, onRequest } = JSON.parse(body);
      assert.equal(onRequest, id);
      assert.equal(cookies.length, 1);
      assert.match(session[0]!, /; Path=\/; Secure; HttpOnly; SameSite=Strict$/);
      const me = await send("/me", withCookie(valueOf(session[0]!)));
      assert.deepEqual(JSON.parse(me.body), { userId: "ada" });
      assert.deepEqual(me.cookies, []);
    });

    each("login attaches the user to the anonymous session", async (send, manager) => {
      const anon = valueOf((await send("/anonymous", POST)).session[0]!);
      const { session } = await send("/login-keep-data", withCookie(anon, "POST"));
      const { session: record } = await manager.validate(valueOf(session[0]!));
      assert.equal(record.userId, "ada");
      assert.deepEqual(record.data, { cart: [1] });
      await assert.rejects(manager.validate(anon), { code: "session-invalid" });
    });

    each("regenerate sets the rotated cookie; the old credential dies", async (send, manager) => {
      const credential = valueOf((await send("/login", POST)).session[0]!);
      const { body, session } = await send("/sudo", withCookie(credential, "POST"));
      assert.deepEqual(JSON.parse(body), { rotated: true });
      assert.equal(session.length, 1);
      const rotated = valueOf(session[0]!);
      assert.notEqual(rotated, credential);
      assert.equal((await manager.validate(rotated)).session.userId, "ada");
      await assert.rejects(manager.validate(credential));
    });

    each("logout deletes the cookie and ends the session", async (send, manager) => {
      const credential = valueOf((await send("/login", POST)).session[0]!);
      const { body, session } = await send("/logout", withCookie(credential, "POST"));
      assert.deepEqual(JSON.parse(body), { ended: true });
      assert.equal(session.length, 1);
      assert.ok(deletes(session[0]!));
      await assert.rejects(manager.validate(credential), { code: "session-invalid" });
    });

    each("keeps exactly one Set-Cookie per name, the last decision winning", async (send, m) => {
      const { cookies, session } = await send("/own-cookies", POST);
      assert.equal(setCookiesNamed(cookies, "theme").length, 1);
      assert.equal(session.length, 1);
      assert.equal((await m.validate(valueOf(session[0]!))).session.userId, "ada");
    });

    each("deletes an unknown or malformed cookie; the request goes on", async (send, manager) => {
      const credential = valueOf((await send("/login", POST)).session[0]!);
      await manager.logout(credential);
      for (const value of [credential, "garbage"]) {
        const { status, body, cookies, session } = await send("/me", withCookie(value));
        assert.equal(status, 200);
        assert.deepEqual(JSON.parse(body), { userId: null });
        assert.equal(cookies.length, 1);
        assert.ok(deletes(session[0]!));
      }
    });

    each("records request.ip and the User-Agent as device metadata", async (send, manager) => {
      const { session } = await send("/login", {
        method: "POST",
        headers: { "user-agent": "curl/8", "x-forwarded-for": "203.0.113.9" },
      });
      const { session: record } = await manager.validate(valueOf(session[0]!));
      assert.deepEqual(record.device, { userAgent: "curl/8", ip: "203.0.113.9" });
    });

    each("accepts a Bearer credential when enabled, and writes no cookie for it", async (send) => {
      const credential = valueOf((await send("/login", POST)).session[0]!);
      const auth = { authorization: `Bearer ${credential}` };
      const me = await send("/me", { headers: auth });
      assert.equal(JSON.parse(me.body).userId, "ada");
      const out = await send("/logout", { method: "POST", headers: auth });
      assert.deepEqual(out.session, []);
    }, { bearer: true });

    each("requireSession answers 401 without a session", async (send) => {
      assert.equal((await send("/required")).status, 401);
    });

    each("other errors go to Fastify's default handler (500)", async (send) => {
      assert.equal((await send("/boom")).status, 500);
    });

    each("answers 503 when the store is down while validating", async (send, _m, setDown) => {
      const credential = valueOf((await send("/login", POST)).session[0]!);
      setDown(true);
      const { status, cookies, headers } = await send("/me", withCookie(credential));
      setDown(false);
      assert.equal(status, 503);
      assert.equal(headers["retry-after"], "1");
      assert.deepEqual(cookies, []);
    });

    each(
      "answers 503 when the store fails in a handler, keeping only a deletion",
      async (send, _m, setDown, { late }) => {
        const credential = valueOf((await send("/login", POST)).session[0]!);
        late(() => setDown(true));
        const failed = await send("/login", withCookie(credential, "POST"));
        assert.equal(failed.status, 503);
        assert.deepEqual(failed.session, []);
        setDown(false);
        const out = await send("/logout", withCookie(credential, "POST"));
        assert.equal(out.status, 503);
        assert.ok(deletes(out.session[0]!), "the client still forgets the session");
        setDown(false);
      },
    );

    it("step-up: a stale proof is 403 reauthentication-required until reauthenticate", async () => {
      const clock = new ManualClock(1_000_000);
      const manager = new Manager({ store: new MemoryStore({ clock }), clock });
      await withApp(transport, manager, {}, async (send) => {
        let credential = valueOf((await send("/login", POST)).session[0]!);
        assert.equal((await send("/password", withCookie(credential, "POST"))).status, 200);
        clock.advance(60_000);
        const refused = await send("/password", withCookie(credential, "POST"));
        assert.equal(refused.status, 403);
        assert.deepEqual(refused.cookies, []);
        const redirect = await send("/password-redirect", withCookie(credential, "POST"));
        assert.equal(redirect.status, 303);
        const confirmed = await send("/confirm", withCookie(credential, "POST"));
        assert.deepEqual(JSON.parse(confirmed.body), { authenticatedAt: 1_060_000 });
        assert.equal(confirmed.session.length, 1);
        credential = valueOf(confirmed.session[0]!);
        assert.equal((await send("/password", withCookie(credential, "POST"))).status, 200);
        assert.equal((await send("/password", POST)).status, 401);
      });
    });
  });
}

describe("Fastify sessionPlugin registration", () => {
  it("carries the skip-override mark, so the decoration is app-wide", () => {
    const plugin = sessionPlugin(new Manager({ store: new MemoryStore() }));
    assert.equal(Reflect.get(plugin, Symbol.for("skip-override")), true);
  });

  it("refuses a bad cookie option at startup", () => {
    const manager = new Manager({ store: new MemoryStore() });
    assert.throws(
      () => sessionPlugin(manager, { bearer: "yes" as unknown as boolean }),
      TypeError,
    );
  });

  it("helpers refuse a request the plugin did not see", async () => {
    const app = fastify();
    app.get("/", async (request) => String(await login(request, "ada").catch((e) => e.name)));
    const res = await app.inject({ url: "/" });
    assert.equal(res.body, "TypeError");
    await app.close();
  });
});
