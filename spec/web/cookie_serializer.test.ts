// cookieSerializer: the name and options are checked once, when the serializer is made; each call
// checks only the value, and the header equals serializeCookie's for the same input.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { type CookieOptions, cookieSerializer, serializeCookie } from "../../src/web/cookie.ts";
import { cookieName, cookieValue } from "./_cookie_arbitraries.ts";

const options: fc.Arbitrary<CookieOptions> = fc.oneof(
  fc.record({
    httpOnly: fc.boolean(),
    sameSite: fc.constantFrom("Strict" as const, "Lax" as const, "None" as const),
    path: fc.constantFrom("/", "/app", "/a/b"),
    maxAge: fc.integer({ min: 0, max: 34_560_000 }),
    partitioned: fc.boolean(),
  }, { requiredKeys: [] }),
  fc.record({
    secure: fc.constant(false as const),
    sameSite: fc.constantFrom("Strict" as const, "Lax" as const),
    domain: fc.constantFrom("example.org", ".example.org"),
  }, { requiredKeys: ["secure"] }),
);

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
};

describe("cookieSerializer", () => {
  it("builds the same header as serializeCookie, or refuses with the same code", () => {
    fc.assert(
      fc.property(cookieName, cookieValue, options, (name, value, o) => {
        const expected = code(() => serializeCookie(name, value, o));
        if (expected !== undefined) {
          assert.equal(code(() => cookieSerializer(name, o)(value)), expected);
          return;
        }
        assert.equal(cookieSerializer(name, o)(value), serializeCookie(name, value, o));
      }),
    );
  });

  it("refuses bad options when it is made, before any value", () => {
    assert.throws(() => cookieSerializer("__Host-sid", { path: "/app" } as never), {
      code: "cookie-prefix-violation",
    });
    assert.throws(() => cookieSerializer("sid", { maxAge: -1 }), {
      code: "invalid-cookie-attribute",
    });
    assert.throws(() => cookieSerializer("", {}), { code: "invalid-cookie-name" });
  });

  it("refuses a bad value on each call, never echoing it", () => {
    const serialize = cookieSerializer("sid", { secure: false });
    for (const value of ["a b", 'x"', "a;b", "é"]) {
      assert.throws(() => serialize(value), (error: unknown) => {
        assert.equal((error as { code?: string }).code, "invalid-cookie-value");
        assert.ok(!(error as Error).message.includes(value));
        return true;
      });
    }
    assert.throws(() => serialize("x".repeat(4096)), { code: "cookie-too-large" });
  });

  it("reads the options once: later changes to the object do not change its headers", () => {
    const o: { maxAge: number; sameSite: "Lax" | "Strict" } = { maxAge: 60, sameSite: "Lax" };
    let reads = 0;
    const counted = Object.defineProperty({}, "maxAge", {
      enumerable: true,
      get: () => ++reads,
    });
    const serialize = cookieSerializer("sid", o);
    o.maxAge = 120;
    o.sameSite = "Strict";
    assert.equal(serialize("v"), "sid=v; Path=/; Max-Age=60; Secure; HttpOnly; SameSite=Lax");
    const once = cookieSerializer("sid", counted);
    once("a");
    once("b");
    assert.equal(reads, 1);
  });
});

describe("serializeCookie with default options", () => {
  it("gives the same header for no options, {} and the explicit defaults", () => {
    const explicit = serializeCookie("__Host-sid", "v", {
      secure: true,
      httpOnly: true,
      path: "/",
      sameSite: "Strict",
    });
    assert.equal(serializeCookie("__Host-sid", "v"), explicit);
    assert.equal(serializeCookie("__Host-sid", "v", {}), explicit);
  });

  it("still reads options inherited through a prototype", () => {
    const inherited = Object.create({ httpOnly: false }) as CookieOptions;
    assert.equal(
      serializeCookie("theme", "dark", inherited),
      "theme=dark; Path=/; Secure; SameSite=Strict",
    );
    assert.equal(
      serializeCookie("theme", "dark", {}),
      "theme=dark; Path=/; Secure; HttpOnly; SameSite=Strict",
    );
  });
});
