// Typed session data: SessionManager<Data> and the adapters give `session.data` the application's
// type without casts; a wrong field is a compile error (checked by tsc and deno check, which both
// type-check this file — an unused @ts-expect-error fails them).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { Hono } from "hono";
import { MemoryStore, type Session, SessionManager } from "../../mod.ts";
import { requireSession, type SessionEnv, sessionMiddleware } from "../../src/adapters/hono.ts";
import * as express from "../../src/adapters/express.ts";

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
      // @ts-expect-error the Hono session's data is typed
      const wrong: string = session.data.theme.length;
      return c.json({ cart, wrong });
    });
    const res = await app.request("https://example.com/", {
      headers: { cookie: `__Host-session=${credential}` },
    });
    assert.deepEqual((await res.json()).cart, [7]);
  });

  it("types Express' requireSession with the manager's data type", async () => {
    const manager = new SessionManager<Cart>({ store: new MemoryStore() });
    const { credential } = await manager.login("ada", { data: { cart: [3], theme: "dark" } });
    const middleware = express.sessionMiddleware(manager);
    const req: express.ExpressRequestLike = {
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
    const session: Session<Cart> = express.requireSession<Cart>(req);
    assert.deepEqual(session.data.cart, [3]);
  });
});
