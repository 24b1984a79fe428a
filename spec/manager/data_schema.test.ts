// `data: { schema }`: any Standard Schema v1 validator (valibot here) types the session data with
// its output and checks it at run time — data from the application that fails it is refused
// (TypeError invalid-argument) before the store is touched; data read back that fails it is
// store-corrupt and never returned. Async validators are awaited. Type lines are checked by tsc and
// deno check (an unused @ts-expect-error fails them).
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import * as v from "valibot";
import { fastify } from "fastify";
import { sessionPlugin } from "../../src/adapters/fastify.ts";
import "../_support/_fastify_session.ts";
import {
  type DataSchema,
  type JsonObject,
  MemoryStore,
  type Session,
  SessionManager,
  type SessionStore,
} from "../../mod.ts";

const Cart = v.object({ cart: v.array(v.number()), theme: v.picklist(["light", "dark"]) });
type Cart = v.InferOutput<typeof Cart>;

/** A MemoryStore that counts the calls it receives. */
function countingStore(inner: SessionStore = new MemoryStore()): {
  store: SessionStore;
  calls: string[];
} {
  const calls: string[] = [];
  const store = new Proxy(inner, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        calls.push(String(key));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls };
}

describe("SessionManager data.schema", () => {
  it("infers Data from the schema's output; a wrong shape does not compile", async () => {
    const manager = new SessionManager({ store: new MemoryStore(), data: { schema: Cart } });
    const typed: SessionManager<Cart> = manager;
    const { credential } = await typed.login("ada", { data: { cart: [1], theme: "dark" } });
    const { session } = await manager.validate(credential);
    const theme: "light" | "dark" = session.data.theme;
    assert.equal(theme, "dark");
    const _wrong = () =>
      // @ts-expect-error theme must be "light" or "dark"
      manager.login("ada", { data: { cart: [1], theme: "blue" } });
    const _wrongUpdate = () =>
      // @ts-expect-error cart must be a number array
      manager.updateData(session, { cart: "none", theme: "dark" });
    // @ts-expect-error the data has no such field
    assert.equal(session.data.items, undefined);
  });

  it("refuses data that fails the schema with invalid-argument, before the store is touched", async () => {
    const { store, calls } = countingStore();
    const manager = new SessionManager({ store, data: { schema: Cart } });
    const bad = { cart: ["x"], theme: "dark" } as unknown as Cart;
    for (
      const attempt of [
        () => manager.login("ada", { data: bad }),
        () => manager.createAnonymous({ data: bad }),
        // Without data, a new session would hold {}, which this schema refuses.
        () => manager.login("ada"),
        () => manager.createAnonymous(),
      ]
    ) {
      await assert.rejects(attempt(), (error: unknown) => {
        assert.ok(error instanceof TypeError);
        assert.equal((error as { code?: string }).code, "invalid-argument");
        assert.match(error.message, /does not match data\.schema/);
        assert.doesNotMatch(error.message, /"x"/, "no data value in the message");
        return true;
      });
    }
    assert.deepEqual(calls, []);
    const { session } = await manager.login("ada", { data: { cart: [], theme: "light" } });
    calls.length = 0;
    await assert.rejects(manager.updateData(session, bad), { code: "invalid-argument" });
    assert.deepEqual(calls, []);
    assert.equal((await manager.updateData(session, { cart: [2], theme: "dark" })).version, 2);
  });

  it("stores the schema's output (unknown keys stripped by the schema)", async () => {
    const manager = new SessionManager({ store: new MemoryStore(), data: { schema: Cart } });
    const withExtra = { cart: [1], theme: "light" as const, note: "dropped" };
    const { credential } = await manager.login("ada", { data: withExtra });
    assert.deepEqual((await manager.validate(credential)).session.data, {
      cart: [1],
      theme: "light",
    });
  });

  it("data read back that fails the schema is store-corrupt, never handed out", async () => {
    const store = new MemoryStore();
    const loose = new SessionManager({ store });
    const strict = new SessionManager({ store, data: { schema: Cart } });
    // Written by a manager without the schema (an older release, another app, a damaged record).
    const { credential } = await loose.login("ada", { data: { cart: "none" } });
    await assert.rejects(strict.validate(credential), { code: "store-corrupt" });
    await assert.rejects(strict.regenerate(credential), { code: "store-corrupt" });
    const anonymous = await loose.createAnonymous({ data: { cart: [1] } });
    await assert.rejects(
      strict.login("ada", { credential: anonymous.credential }),
      { code: "store-corrupt" },
    );
    await assert.rejects(
      strict.login("ada", { credential: credential, data: undefined as never }),
      {
        code: "invalid-argument",
      },
    );
    // Replacing corrupt data with valid data repairs nothing behind the app's back: the app chose it.
    const other = await loose.login("bob", { data: { cart: "none" } });
    const repaired = await strict.updateData(other.session, { cart: [1], theme: "dark" });
    assert.deepEqual(repaired.data, { cart: [1], theme: "dark" });
  });

  it("awaits async validators, for both directions", async () => {
    let checks = 0;
    const schema = v.pipeAsync(
      v.objectAsync({ n: v.number() }),
      v.checkAsync(async (data) => {
        checks++;
        await new Promise((resolve) => setTimeout(resolve, 1));
        return data.n >= 0;
      }, "Negative"),
    );
    const store = new MemoryStore();
    const manager = new SessionManager({ store, data: { schema } });
    const { credential } = await manager.login("ada", { data: { n: 1 } });
    const n: number = (await manager.validate(credential)).session.data.n;
    assert.equal(n, 1);
    await assert.rejects(manager.login("ada", { data: { n: -1 } }), { code: "invalid-argument" });
    const loose = new SessionManager({ store });
    const written = await loose.login("bob", { data: { n: -5 } });
    await assert.rejects(manager.validate(written.credential), { code: "store-corrupt" });
    assert.ok(checks >= 4);
  });

  it("accepts a handwritten Standard Schema and refuses what is not one", async () => {
    const even: DataSchema<{ n: number }> = {
      "~standard": {
        version: 1,
        vendor: "handwritten",
        validate: (value) => {
          const n: unknown = typeof value === "object" && value !== null
            ? Reflect.get(value, "n")
            : undefined;
          return typeof n === "number" && n % 2 === 0
            ? { value: { n } }
            : { issues: [{ message: "Odd", path: [{ key: "n" }] }] };
        },
      },
    };
    const manager = new SessionManager({ store: new MemoryStore(), data: { schema: even } });
    await manager.login("ada", { data: { n: 2 } });
    await assert.rejects(manager.login("ada", { data: { n: 3 } }), /first at n$/);
    for (const schema of [{}, { "~standard": { version: 2, validate: () => ({}) } }, 42]) {
      assert.throws(
        () => new SessionManager({ store: new MemoryStore(), data: { schema } as never }),
        { name: "TypeError", code: "invalid-argument" },
      );
    }
    assert.throws(
      () => new SessionManager({ store: new MemoryStore(), data: { shema: even } as never }),
      { code: "invalid-argument", message: /data\.shema/ },
    );
  });

  it("an adapter treats a session whose data fails the schema as none and clears its cookie", async () => {
    const store = new MemoryStore();
    const { credential } = await new SessionManager({ store }).login("ada", { data: { cart: 1 } });
    const app = fastify();
    await app.register(sessionPlugin(new SessionManager({ store, data: { schema: Cart } })));
    app.get("/", async (request) => ({ session: request.session?.id ?? null }));
    const res = await app.inject({ url: "/", headers: { cookie: `__Host-session=${credential}` } });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { session: null });
    assert.match(String(res.headers["set-cookie"]), /^__Host-session=; .*Max-Age=0/);
    await app.close();
  });

  it("without a schema, data is any JSON object, unchecked", async () => {
    const { store, calls } = countingStore();
    const manager = new SessionManager({ store });
    const { session } = await manager.login("ada");
    const data: JsonObject = session.data;
    assert.deepEqual(data, {});
    assert.ok(calls.length > 0);
    const typed: Session = session;
    assert.equal(typed.userId, "ada");
  });
});
