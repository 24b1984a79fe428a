// The seed's flows end to end through SessionManager, on every store kind.
import { describe, it } from "node:test";
import { after } from "../_support/_hooks.ts";
import assert from "node:assert/strict";
import {
  AccessTokenCache,
  AccessTokenKey,
  AccessTokenKeySet,
  type AccessTokenRevocation,
  HOUR_MS,
  type SessionManagerOptions,
} from "../../mod.ts";
import { code, managerSetup, storeKinds } from "../_support/_manager_stores.ts";

const START = 1_900_000_000_000;
const MINUTE = 60_000;
const keys = new AccessTokenKeySet(
  await AccessTokenKey.import({
    kid: "k1",
    algorithm: "HS256",
    secret: new Uint8Array(32).fill(3),
  }),
);

for (const kind of storeKinds()) {
  describe(`SessionManager on ${kind.name}`, () => {
    after(() => kind.close());

    const setup = (options: Partial<SessionManagerOptions> = {}) =>
      managerSetup(kind, START, keys, options);

    it("login → validate slides the idle TTL (1 hour) until an idle hour passes", async () => {
      const { clock, manager } = await setup();
      const { credential } = await manager.login("ada", {
        device: { userAgent: "UA", ip: "192.0.2.1" },
      });
      clock.advance(59 * MINUTE);
      const first = await manager.validate(credential);
      assert.equal(first.session.idleExpiresAt, clock.now() + HOUR_MS);
      clock.advance(59 * MINUTE);
      await manager.validate(credential);
      clock.advance(HOUR_MS - 1);
      await manager.validate(credential);
      clock.advance(HOUR_MS);
      await assert.rejects(manager.validate(credential), code("session-invalid"));
    });

    it("validations never keep a session past its absolute lifetime", async () => {
      const { clock, manager } = await setup({
        session: { idleTtlMs: 10 * MINUTE, absoluteTtlMs: 25 * MINUTE },
      });
      const { credential } = await manager.login("ada");
      for (let i = 0; i < 4; i++) {
        clock.advance(6 * MINUTE);
        const { session } = await manager.validate(credential);
        assert.ok(session.idleExpiresAt <= START + 25 * MINUTE);
      }
      clock.set(START + 25 * MINUTE);
      await assert.rejects(manager.validate(credential), code("session-invalid"));
    });

    it("a fourth device evicts the oldest (limit 3); policy reject refuses instead", async () => {
      const { manager, events } = await setup();
      const logins = [];
      for (let i = 0; i < 4; i++) {
        logins.push(await manager.login("ada", { device: { label: `d${i}` } }));
      }
      assert.deepEqual(logins[3]!.evicted.map((s) => s.id), [logins[0]!.session.id]);
      await assert.rejects(manager.validate(logins[0]!.credential), code("session-invalid"));
      assert.equal((await manager.listSessions("ada")).length, 3);
      assert.ok(events.some((e) => e.type === "evicted"));

      const strict = await setup({ limit: { maxSessions: 1, onLimit: "reject" } });
      await strict.manager.login("bob");
      await assert.rejects(strict.manager.login("bob"), code("session-limit"));
    });

    it("login on an anonymous session rotates its credential (fixation) and keeps its data", async () => {
      const { manager } = await setup();
      const anon = await manager.createAnonymous({ data: { cart: [1, 2] } });
      const login = await manager.login("ada", { credential: anon.credential });
      assert.notEqual(login.credential, anon.credential);
      assert.deepEqual(login.session.data, { cart: [1, 2] });
      await assert.rejects(manager.validate(anon.credential), code("session-invalid"));
      assert.equal((await manager.validate(login.credential)).session.userId, "ada");
    });

    it("regenerate on privilege change: old credential valid only in its grace window", async () => {
      const { clock, manager } = await setup({ session: { graceMs: 2_000 } });
      const { credential } = await manager.login("ada");
      const fresh = await manager.regenerate(credential);
      assert.ok(fresh.credential !== null);
      assert.equal((await manager.validate(credential)).grace, true);
      clock.advance(2_000);
      await assert.rejects(manager.validate(credential), code("session-reused"));
      await assert.rejects(manager.validate(fresh.credential!), code("session-invalid"));
    });

    it("refresh rotates on every use; reuse of a rotated-away token revokes the family", async () => {
      const { manager, events } = await setup();
      const login = await manager.loginWithTokens("ada");
      const second = await manager.refresh(login.refreshToken);
      assert.ok(second.refreshToken !== null && second.refreshToken !== login.refreshToken);
      assert.equal((await manager.verifyAccessToken(second.accessToken.token)).sub, "ada");
      const third = await manager.refresh(second.refreshToken!);
      await assert.rejects(manager.refresh(login.refreshToken), code("session-reused"));
      await assert.rejects(manager.refresh(third.refreshToken!), code("session-invalid"));
      assert.ok(events.some((e) => e.type === "reuse-detected"));
    });

    it("a refresh grace window lets the racing predecessor through without a new refresh token", async () => {
      const { clock, manager } = await setup({ refresh: { graceMs: 1_000 } });
      const login = await manager.loginWithTokens("ada");
      await manager.refresh(login.refreshToken);
      const racing = await manager.refresh(login.refreshToken);
      assert.equal(racing.refreshToken, null);
      clock.advance(1_000);
      await assert.rejects(manager.refresh(login.refreshToken), code("session-reused"));
    });

    for (const mode of ["stateless", "session", "lists"] as AccessTokenRevocation[]) {
      it(`logout invalidates the refresh token; access tokens in ${mode} mode`, async () => {
        const { clock, manager } = await setup({
          accessTokens: { keys, revocation: mode, cache: new AccessTokenCache() },
        });
        const login = await manager.loginWithTokens("ada");
        await manager.verifyAccessToken(login.accessToken.token);
        assert.equal(await manager.logout(login.refreshToken), true);
        await assert.rejects(manager.refresh(login.refreshToken), code("session-invalid"));
        const check = manager.verifyAccessToken(login.accessToken.token);
        if (mode === "stateless") {
          await check;
          clock.set(login.accessToken.expiresAt);
          await assert.rejects(
            manager.verifyAccessToken(login.accessToken.token),
            code("token-expired"),
          );
        } else {
          await assert.rejects(check, code("token-revoked"));
        }
      });
    }

    it("an access token presented as a refresh token or cookie credential is session-invalid", async () => {
      const { manager } = await setup();
      const login = await manager.loginWithTokens("ada");
      await assert.rejects(manager.refresh(login.accessToken.token), code("session-invalid"));
      await assert.rejects(manager.validate(login.accessToken.token), code("session-invalid"));
      await assert.rejects(manager.verifyAccessToken(login.refreshToken), code("token-invalid"));
      // The family is untouched: the real refresh token still works.
      assert.ok((await manager.refresh(login.refreshToken)).refreshToken !== null);
    });

    it("access tokens expire at exactly 15 minutes", async () => {
      const { clock, manager } = await setup();
      const { accessToken } = await manager.loginWithTokens("ada");
      assert.equal(accessToken.expiresAt, START + 15 * MINUTE);
      clock.set(accessToken.expiresAt - 1);
      await manager.verifyAccessToken(accessToken.token);
      clock.advance(1);
      await assert.rejects(manager.verifyAccessToken(accessToken.token), code("token-expired"));
    });

    it("lists devices, revokes one, and signs out everywhere else", async () => {
      const { manager } = await setup();
      const phone = await manager.login("ada", { device: { label: "Phone", ip: "198.51.100.7" } });
      const laptop = await manager.login("ada", { device: { label: "Laptop" } });
      const tablet = await manager.login("ada", { device: { label: "Tablet" } });
      const rows = await manager.listSessions("ada", { currentSessionId: laptop.session.id });
      assert.deepEqual(rows.map((r) => [r.device.label, r.current]), [["Phone", false], [
        "Laptop",
        true,
      ], ["Tablet", false]]);
      assert.equal(await manager.revokeSession("mallory", phone.session.id), false);
      assert.equal(await manager.revokeSession("ada", phone.session.id), true);
      await assert.rejects(manager.validate(phone.credential), code("session-invalid"));
      assert.equal(
        await manager.revokeAllSessions("ada", { exceptSessionId: laptop.session.id }),
        1,
      );
      await assert.rejects(manager.validate(tablet.credential), code("session-invalid"));
      await manager.validate(laptop.credential);
    });

    it("binding: a changed user agent is rejected, or revokes the session", async () => {
      const reject = await setup({ binding: { userAgent: true } });
      const a = await reject.manager.login("ada", { device: { userAgent: "Firefox" } });
      await assert.rejects(
        reject.manager.validate(a.credential, { userAgent: "curl" }),
        code("session-binding"),
      );
      await reject.manager.validate(a.credential, { userAgent: "Firefox" });

      const revoke = await setup({ binding: { ip: true, action: "revoke" } });
      const b = await revoke.manager.login("ada", { device: { ip: "192.0.2.1" } });
      await assert.rejects(
        revoke.manager.validate(b.credential, { ip: "203.0.113.9" }),
        code("session-binding"),
      );
      await assert.rejects(
        revoke.manager.validate(b.credential, { ip: "192.0.2.1" }),
        code("session-invalid"),
      );
    });

    it("compare-and-set data updates lose no update", async () => {
      const { manager } = await setup();
      const { credential } = await manager.login("ada");
      const { session } = await manager.validate(credential);
      const results = await Promise.allSettled([
        manager.updateData(session, { n: 1 }),
        manager.updateData(session, { n: 2 }),
      ]);
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
      assert.equal((await manager.validate(credential)).session.version, 2);
    });

    it("events carry a keyed session reference, never a credential or token", async () => {
      const { manager, events } = await setup({
        binding: { userAgent: true },
        refresh: { graceMs: 0 },
      });
      const login = await manager.loginWithTokens("ada", { device: { userAgent: "UA" } });
      const next = await manager.refresh(login.refreshToken, { userAgent: "UA" });
      await manager.refresh(login.refreshToken, { userAgent: "UA" }).catch(() => {});
      const text = JSON.stringify(events);
      for (
        const secret of [
          login.refreshToken,
          next.refreshToken!,
          login.accessToken.token,
          login.session.id,
        ]
      ) {
        assert.ok(!text.includes(secret), "an event leaked a secret or a raw session id");
      }
      assert.deepEqual(
        [...new Set(events.map((e) => e.type))].sort(),
        ["created", "reuse-detected", "revoked", "rotated"],
      );
      assert.ok(events.every((e) => /^[A-Za-z0-9_-]{16}$/.test(e.sessionRef)));
    });
  });
}
