// SessionManager refuses option names it does not know: a typo or a renamed option must not fall
// back to a default silently.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { MemoryStore, SessionManager, type SessionManagerOptions } from "../../mod.ts";

function refused(options: Record<string, unknown>, name: string): void {
  assert.throws(
    () => new SessionManager(options as unknown as SessionManagerOptions),
    (error: unknown) =>
      error instanceof TypeError && Reflect.get(error, "code") === "invalid-argument" &&
      error.message.includes(name),
  );
}

describe("SessionManager options", () => {
  it("refuses an unknown top-level option", () => {
    refused({ store: new MemoryStore(), sesion: {} }, "sesion");
  });

  it("refuses a renamed nested option (session.regenerateGraceMs is session.graceMs)", () => {
    refused({ store: new MemoryStore(), session: { regenerateGraceMs: 0 } }, "regenerateGraceMs");
    refused({ store: new MemoryStore(), refresh: { grace: 0 } }, "refresh.grace");
    refused({ store: new MemoryStore(), limit: { max: 1 } }, "limit.max");
    refused({ store: new MemoryStore(), binding: { ua: true } }, "binding.ua");
  });

  it("refuses a policy that is not an object", () => {
    refused({ store: new MemoryStore(), session: 5 }, "session");
  });

  it("accepts every documented option", () => {
    const manager = new SessionManager({
      store: new MemoryStore(),
      session: { idleTtlMs: 1_000, absoluteTtlMs: 2_000, slideThreshold: 0.5, graceMs: 0 },
      refresh: { idleTtlMs: 1_000, absoluteTtlMs: 2_000, graceMs: 0 },
      limit: { maxSessions: 2, onLimit: "reject" },
      binding: { userAgent: true, ip: false, action: "reject" },
      onEvent: () => {},
      logKey: new Uint8Array(16),
    });
    assert.ok(manager instanceof SessionManager);
  });
});
