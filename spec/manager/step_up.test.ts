// Step-up re-authentication end to end through SessionManager, on every store kind: the login
// proves the user, a plain regenerate does not, `reauthenticate` does (and rotates), and
// `requireRecentAuthentication` refuses a proof as old as `maxAgeMs` with a coded error.
import { describe, it } from "node:test";
import { after } from "../_support/_hooks.ts";
import assert from "node:assert/strict";
import { AccessTokenKey, AccessTokenKeySet } from "../../mod.ts";
import { code, managerSetup, storeKinds } from "../_support/_manager_stores.ts";

const START = 1_900_000_000_000;
const MINUTE = 60_000;
const keys = new AccessTokenKeySet(await AccessTokenKey.generate("k1"));

for (const kind of storeKinds()) {
  describe(`step-up re-authentication on ${kind.name}`, () => {
    after(() => kind.close());
    const setup = () => managerSetup(kind, START, keys, { session: { graceMs: 1_000 } });

    it("a login is a proof; it goes stale at exactly maxAgeMs", async () => {
      const { manager, clock } = await setup();
      const { credential } = await manager.login("ada");
      const { session } = await manager.validate(credential);
      assert.equal(session.authenticatedAt, START);
      clock.advance(5 * MINUTE - 1);
      manager.requireRecentAuthentication((await manager.validate(credential)).session, 5 * MINUTE);
      clock.advance(1);
      assert.throws(
        () => manager.requireRecentAuthentication(session, 5 * MINUTE),
        code("reauthentication-required"),
      );
    });

    it("a plain regenerate is not a proof; reauthenticate is, and rotates the credential", async () => {
      const { manager, clock, store } = await setup();
      const login = await manager.login("ada");
      clock.advance(10 * MINUTE);
      const regenerated = await manager.regenerate(login.credential);
      assert.equal(regenerated.session.authenticatedAt, START);
      clock.advance(2_000); // past the grace window of the regenerated predecessor
      const before = regenerated.credential!;
      const up = await manager.reauthenticate(before);
      assert.notEqual(up.credential, before);
      assert.equal(up.session.authenticatedAt, START + 10 * MINUTE + 2_000);
      assert.equal((await store.get(up.session.id))?.authenticatedAt, up.session.authenticatedAt);
      manager.requireRecentAuthentication(up.session, MINUTE);
    });

    it("records no proof for an anonymous session and refuses an already rotated credential", async () => {
      const { manager } = await setup();
      const anon = await manager.createAnonymous();
      // Nobody to re-authenticate: the credential still rotates (a privilege change is asked for)
      // and the session keeps no proof, so a sensitive action stays refused.
      const rotated = await manager.reauthenticate(anon.credential);
      assert.equal(rotated.session.authenticatedAt, null);
      assert.notEqual(rotated.credential, null);
      assert.notEqual(rotated.credential, anon.credential);
      assert.throws(
        () => manager.requireRecentAuthentication(rotated.session, MINUTE),
        code("reauthentication-required"),
      );
      const login = await manager.login("ada");
      const first = await manager.reauthenticate(login.credential);
      // A racing request with the old credential, inside the grace window: not recorded.
      await assert.rejects(
        manager.reauthenticate(login.credential),
        code("reauthentication-required"),
      );
      assert.equal((await manager.validate(first.credential!)).session.authenticatedAt, START);
    });

    it("refuses a maxAgeMs that is not a positive safe integer, changing nothing", async () => {
      const { manager } = await setup();
      const { session } = await manager.login("ada");
      for (const bad of [0, -1, 1.5, Number.NaN, Infinity, "60000" as never]) {
        assert.throws(
          () => manager.requireRecentAuthentication(session, bad),
          (e: unknown) =>
            e instanceof RangeError && (e as { code?: string }).code === "invalid-argument",
        );
      }
    });
  });
}
