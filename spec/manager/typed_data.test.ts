// Typed session data: SessionManager<Data> and the adapters give `session.data` the application's
// type without casts; a wrong field is a compile error (checked by tsc and deno check, which both
// type-check this file — an unused @ts-expect-error fails them).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { fastify } from "fastify";
import {
  AccessTokenKey,
  AccessTokenKeySet,
  MemoryStore,
  type Session,
  SessionManager,
} from "../../mod.ts";
import { requireSession, type SessionEnv, sessionMiddleware } from "../../src/adapters/hono.ts";
import * as express from "../../src/adapters/express.ts";
import * as fastifyAdapter from "../../src/adapters/fastify.ts";
import type { FastifyData } from "../_support/_fastify_session.ts";

type Cart = { cart: number[]; theme: "light" | "dark" };

describe("typed session data", () => {
  it("types session.data through login, validate and updateData", async () => {
    const manager = new SessionManager<Cart>({ store: new MemoryStore() });
    const login = await manager.login("ada", { data: { cart: [1], theme: "dark" } });
    const { session } = await manager.validate(login.credential);
    const items: number[] = session.data.cart;
    assert.deepEqual(items, [1]);
    // @ts-expect-error a field the data type does not have
    assert.equal(session.data.cartt, undefined);
    // Compile-time only (never called): the data argument is checked against the type.
    const _wrongUpdate = () =>
      // @ts-expect-error a wrong value type for a field
      manager.updateData(session, { cart: "none", theme: "dark" });
    const updated = await manager.updateData(session, { cart: [1, 2], theme: "light" });
    const theme: "light" | "dark" = updated.data.theme;
    assert.equal(theme, "light");
  });

  it("types the Hono context's session from SessionEnv<Data>", async () => {
    const manager = new SessionManager<Cart>({ store: new MemoryStore() });
    const { credential } = await manager.login("ada", { data: { cart: [7], theme: "light" } });
    const app = new Hono<SessionEnv<Cart>>();
    app.use(sessionMiddleware(manager));
    app.get("/", (c) => {
      const session = requireSession(c);
      const cart: number[] = session.data.cart;
      const fromContext: number[] | undefined = c.get("session")?.data.cart;
      assert.deepEqual(fromContext, cart);
      // @ts-expect-error the Hono session's data is typed
      const wrong: string = session.data.theme.length;
      return c.json({ cart, wrong });
    });
    const res = await app.request("https://example.com/", {
      headers: { cookie: `__Host-session=${credential}` },
    });
    assert.deepEqual((await res.json()).cart, [7]);
  });

  it("types Express' req.session and helpers from the request's declared session", async () => {
    const manager = new SessionManager<Cart>({ store: new MemoryStore() });
    const { credential } = await manager.login("ada", { data: { cart: [3], theme: "dark" } });
    const middleware = express.sessionMiddleware(manager);
    // What an application's `declare global { namespace Express { interface Request … } } }` adds.
    const req: express.ExpressRequestLike & { session?: express.SessionOf<typeof manager> } = {
      headers: { cookie: `__Host-session=${credential}` },
    };
    const res = {
      headersSent: false,
      statusCode: 200,
      locals: {},
      getHeader: () => undefined,
      setHeader: () => {},
      end: () => {},
    };
    await middleware(req, res, () => {});
    const session: Session<Cart> = express.requireSession(req);
    assert.deepEqual(session.data.cart, [3]);
    const theme: "light" | "dark" | undefined = req.session?.data.theme;
    assert.equal(theme, "dark");
    const _wrongLogin = () =>
      // @ts-expect-error the data type follows the request's declared session
      express.login(req, "ada", { data: { cart: [1], theme: "blue" } });
    const { session: next } = await express.regenerate(req);
    const cart: number[] = next.data.cart;
    assert.deepEqual(cart, [3]);
  });

  it("types Fastify's request.session and helpers from SessionOf<typeof manager>", async () => {
    const manager = new SessionManager<FastifyData>({ store: new MemoryStore() });
    const app = fastify();
    await app.register(fastifyAdapter.sessionPlugin(manager));
    app.post("/", async (request) => {
      const { session } = await fastifyAdapter.login(request, "ada", { data: { theme: "dark" } });
      const _wrongLogin = () =>
        // @ts-expect-error the data type follows the declared request.session
        fastifyAdapter.login(request, "ada", { data: { theme: "blue" } });
      const theme: "light" | "dark" | undefined = request.session?.data.theme;
      // @ts-expect-error request.session's data is typed
      const _wrong: number | undefined = request.session?.data.theme;
      const required: FastifyData = fastifyAdapter.requireSession(request).data;
      return { theme, same: required === session.data || required.theme === session.data.theme };
    });
    const res = await app.inject({ method: "POST", url: "/" });
    assert.deepEqual(res.json(), { theme: "dark", same: true });
    await app.close();
  });

  it("types the application claims of access tokens from SessionManager<Data, Claims>", async () => {
    type Claims = { role: "admin" | "user"; tenant: string };
    const keys = new AccessTokenKeySet(await AccessTokenKey.generate("k1"));
    const manager = new SessionManager<Cart, Claims>({
      store: new MemoryStore(),
      accessTokens: { keys },
    });
    const { session } = await manager.login("ada", { data: { cart: [], theme: "light" } });
    const { token } = await manager.issueAccessToken(session, { role: "admin", tenant: "t1" });
    const _wrongClaims = () =>
      // @ts-expect-error a claim value outside the declared type
      manager.issueAccessToken(session, { role: "root", tenant: "t1" });
    const claims = await manager.verifyAccessToken(token);
    // Optional: tokens from loginWithTokens and refresh carry no application claims.
    const role: "admin" | "user" | undefined = claims.role;
    // @ts-expect-error an application claim is never guaranteed present
    const _required: "admin" | "user" = claims.role;
    const sub: string = claims.sub;
    assert.deepEqual([role, claims.tenant, sub], ["admin", "t1", "ada"]);
    const fromLogin = await manager.verifyAccessToken(
      (await manager.loginWithTokens("bob", { data: { cart: [], theme: "dark" } })).accessToken
        .token,
    );
    assert.equal(fromLogin.role, undefined);
    // The default Claims: any JSON claims, as before.
    const plain = new SessionManager({ store: new MemoryStore(), accessTokens: { keys } });
    const login = await plain.login("ada");
    const any = await plain.verifyAccessToken(
      (await plain.issueAccessToken(login.session, { scope: ["a"] })).token,
    );
    assert.deepEqual(any.scope, ["a"]);
  });
});
