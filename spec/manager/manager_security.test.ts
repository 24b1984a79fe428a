// Regression tests of the security review (issue 10): a refused request changes nothing, refresh
// checks before it rotates, cookie sessions and refresh tokens are separate kinds, concurrent
// refreshes keep a client signed in, and ids from user input never throw. On every store kind.
import { describe, it } from "node:test";
import { after } from "../_support/_hooks.ts";
import assert from "node:assert/strict";
import { AccessTokenKey, AccessTokenKeySet, type SessionManagerOptions } from "../../mod.ts";
import { code, managerSetup, storeKinds } from "../_support/_manager_stores.ts";

const START = 1_900_000_000_000;
const MINUTE = 60_000;
const keys = new AccessTokenKeySet(
  await AccessTokenKey.import({
    kid: "k1",
    algorithm: "HS256",
    secret: new Uint8Array(32).fill(5),
  }),
);

for (const kind of storeKinds()) {
  describe(`SessionManager security on ${kind.name}`, () => {
    after(() => kind.close());

    const setup = (options: Partial<SessionManagerOptions> = {}) =>
      managerSetup(kind, START, keys, options);

    it("a request refused for binding does not slide the session (no slide, no lastActiveAt)", async () => {
      const { clock, manager, store } = await setup({ binding: { userAgent: true } });
      const { credential, session } = await manager.login("ada", {
        device: { userAgent: "Firefox" },
      });
      clock.advance(30 * MINUTE);
      await assert.rejects(
        manager.validate(credential, { userAgent: "thief" }),
        code("session-binding"),
      );
      await assert.rejects(manager.validate(credential), code("session-binding"));
      const after = await store.get(session.id);
      assert.equal(after?.idleExpiresAt, session.idleExpiresAt, "the refused request slid it");
      assert.equal(after?.lastActiveAt, session.lastActiveAt);
      clock.advance(30 * MINUTE);
      await assert.rejects(
        manager.validate(credential, { userAgent: "Firefox" }),
        code("session-invalid"),
        "a thief kept the session from idling out",
      );
    });

    it("refresh() with a wrong user agent changes nothing: the owner's refresh still works", async () => {
      const { manager, store, events } = await setup({ binding: { userAgent: true } });
      const login = await manager.loginWithTokens("ada", { device: { userAgent: "App/1" } });
      await assert.rejects(
        manager.refresh(login.refreshToken, { userAgent: "thief" }),
        code("session-binding"),
      );
      assert.equal((await store.get(login.session.id))?.rotatedAt, login.session.rotatedAt);
      assert.ok(events.some((e) => e.type === "binding-mismatch"));
      const owner = await manager.refresh(login.refreshToken, { userAgent: "App/1" });
      assert.ok(owner.refreshToken !== null, "the owner's refresh was not a fresh rotation");
      assert.ok(!events.some((e) => e.type === "reuse-detected"));
    });

    it("refresh() with a wrong IP and action revoke ends the family before any rotation", async () => {
      const { manager } = await setup({ binding: { ip: true, action: "revoke" } });
      const login = await manager.loginWithTokens("ada", { device: { ip: "192.0.2.1" } });
      await assert.rejects(
        manager.refresh(login.refreshToken, { ip: "203.0.113.9" }),
        code("session-binding"),
      );
      await assert.rejects(
        manager.refresh(login.refreshToken, { ip: "192.0.2.1" }),
        code("session-invalid"),
      );
    });

    it("refresh() with an anonymous session's credential is session-invalid and changes nothing", async () => {
      const { manager, store } = await setup();
      const anon = await manager.createAnonymous({ data: { cart: [1] } });
      await assert.rejects(manager.refresh(anon.credential), code("session-invalid"));
      assert.equal((await store.get(anon.session.id))?.rotatedAt, anon.session.rotatedAt);
      const still = await manager.validate(anon.credential);
      assert.equal(still.session.id, anon.session.id, "the anonymous cookie was not reused");
    });

    it("a cookie credential is refused by refresh() and changes nothing", async () => {
      const { manager, store } = await setup();
      const login = await manager.login("ada");
      assert.equal(login.session.kind, "cookie");
      await assert.rejects(manager.refresh(login.credential), code("session-invalid"));
      assert.equal((await store.get(login.session.id))?.rotatedAt, login.session.rotatedAt);
      await manager.validate(login.credential);
    });

    it("a refresh token is refused as a cookie credential and changes nothing", async () => {
      const { manager, store } = await setup();
      const login = await manager.loginWithTokens("ada");
      assert.equal(login.session.kind, "refresh");
      await assert.rejects(manager.validate(login.refreshToken), code("session-invalid"));
      await assert.rejects(manager.regenerate(login.refreshToken), code("session-invalid"));
      assert.equal((await store.get(login.session.id))?.rotatedAt, login.session.rotatedAt);
      const next = await manager.refresh(login.refreshToken);
      assert.ok(next.refreshToken !== null);
    });

    it("ten parallel refreshes of one token keep the client signed in (default grace)", async () => {
      const { manager } = await setup();
      const login = await manager.loginWithTokens("ada");
      const results = await Promise.allSettled(
        Array.from({ length: 10 }, () => manager.refresh(login.refreshToken)),
      );
      const failed = results.filter((r) => r.status === "rejected");
      assert.deepEqual(failed, [], "a racing refresh failed");
      const fresh = results.flatMap((r) =>
        r.status === "fulfilled" && r.value.refreshToken !== null ? [r.value.refreshToken] : []
      );
      assert.equal(fresh.length, 1, "exactly one refresh rotated");
      const next = await manager.refresh(fresh[0]!);
      assert.ok(next.refreshToken !== null, "the winner's token works");
    });

    it("the default grace admits only the immediate predecessor, for a short window", async () => {
      const { clock, manager } = await setup();
      const login = await manager.loginWithTokens("ada");
      const second = await manager.refresh(login.refreshToken);
      await manager.refresh(second.refreshToken!);
      await assert.rejects(manager.refresh(login.refreshToken), code("session-reused"));
      const again = await manager.loginWithTokens("ada");
      await manager.refresh(again.refreshToken);
      clock.advance(MINUTE);
      await assert.rejects(manager.refresh(again.refreshToken), code("session-reused"));
    });

    it("with grace 0, a second parallel refresh is reuse and the family is revoked", async () => {
      const { manager } = await setup({ refresh: { graceMs: 0 } });
      const login = await manager.loginWithTokens("ada");
      const results = await Promise.allSettled(
        Array.from({ length: 2 }, () => manager.refresh(login.refreshToken)),
      );
      const won = results.flatMap((r) => r.status === "fulfilled" ? [r.value] : []);
      assert.equal(won.length, 1);
      const lost = results.find((r) => r.status === "rejected") as PromiseRejectedResult;
      assert.equal((lost.reason as { code?: string }).code, "session-reused");
      await assert.rejects(manager.refresh(won[0]!.refreshToken!), code("session-invalid"));
    });

    it("revokeSession() answers a malformed or foreign session id with false, never a TypeError", async () => {
      const { manager } = await setup();
      const { session } = await manager.login("ada");
      for (const id of ["a.b", "", "x".repeat(300), "no/such", "é", " "]) {
        assert.equal(await manager.revokeSession("ada", id), false, JSON.stringify(id));
      }
      assert.equal(await manager.revokeSession("bob", session.id), false);
      assert.equal(await manager.revokeSession("ada", session.id), true);
    });
  });
}
