// serializeCookie and deleteCookie: defaults, every refusal rule, no mutation, prefix rules in the
// types, and the serialize -> parse round trip.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type CookieOptions,
  deleteCookie,
  MAX_COOKIE_AGE_SECONDS,
  parseCookies,
  serializeCookie,
} from "../../src/web/cookie.ts";
import { cookieName, cookieValue } from "./_cookie_arbitraries.ts";

const SECRET = "s3cr3t-VALUE-xyz";

/** Asserts that `fn` throws the given class with the given code, and no message echoes SECRET. */
function refuses(
  fn: () => unknown,
  kind: typeof TypeError | typeof RangeError,
  code: string,
): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof kind, `expected ${kind.name}, got ${String(error)}`);
    assert.equal((error as { code?: string }).code, code);
    assert.ok(!error.message.includes(SECRET), "message must not contain the value");
    assert.match(error.message, /^[A-Z_]/);
    assert.doesNotMatch(error.message, /\.$/);
    return true;
  });
}

// Loose signature for run-time refusal tests that the types already forbid.
const serializeLoose = serializeCookie as (
  name: string,
  value: string,
  options?: unknown,
) => string;
const deleteLoose = deleteCookie as (name: string, options?: unknown) => string;

describe("serializeCookie defaults", () => {
  it("defaults to Path=/; Secure; HttpOnly; SameSite=Strict with no Domain, Max-Age or Expires", () => {
    assert.equal(
      serializeCookie("sid", "abc"),
      "sid=abc; Path=/; Secure; HttpOnly; SameSite=Strict",
    );
  });

  it("writes every attribute it is given", () => {
    const header = serializeCookie("sid", "abc", {
      path: "/app",
      domain: "example.com",
      maxAge: 60,
      expires: new Date(Date.UTC(2030, 0, 2, 3, 4, 5)),
      sameSite: "None",
      partitioned: true,
    });
    assert.equal(
      header,
      "sid=abc; Path=/app; Domain=example.com; Max-Age=60; Expires=Wed, 02 Jan 2030 03:04:05 GMT; " +
        "Secure; HttpOnly; SameSite=None; Partitioned",
    );
  });

  it("drops Secure and HttpOnly only when asked", () => {
    assert.equal(
      serializeCookie("dev", "1", { secure: false, httpOnly: false, sameSite: "Lax" }),
      "dev=1; Path=/; SameSite=Lax",
    );
  });

  it("accepts an empty value, the 400-day Max-Age and Max-Age=0", () => {
    assert.equal(serializeCookie("a", ""), "a=; Path=/; Secure; HttpOnly; SameSite=Strict");
    assert.match(
      serializeCookie("a", "1", { maxAge: MAX_COOKIE_AGE_SECONDS }),
      /; Max-Age=34560000;/,
    );
    assert.match(serializeCookie("a", "1", { maxAge: 0 }), /; Max-Age=0;/);
  });

  it("accepts prefixed names that meet their rules, in any letter case", () => {
    for (
      const name of [
        "__Host-sid",
        "__host-sid",
        "__HOST-sid",
        "__Secure-sid",
        "__SECURE-x",
        "__Http-x",
      ]
    ) {
      assert.ok(serializeLoose(name, "v").startsWith(`${name}=v; Path=/;`));
    }
    assert.ok(
      serializeCookie("__Secure-x", "v", { domain: "example.com", path: "/a" }).includes("Domain"),
    );
  });

  it("never writes to its options, even frozen ones", () => {
    const expires = new Date(Date.UTC(2031, 5, 6));
    const options = Object.freeze({ path: "/x", maxAge: 5, expires, sameSite: "Lax" as const });
    const before = JSON.stringify(options);
    serializeCookie("a", "b", options);
    serializeCookie("a", "b", options);
    assert.equal(JSON.stringify(options), before);
    assert.equal(expires.getTime(), Date.UTC(2031, 5, 6));
    const hostOptions = Object.freeze({});
    assert.doesNotThrow(() => serializeCookie("__Host-a", "b", hostOptions));
    assert.deepEqual(Object.keys(hostOptions), []);
    assert.doesNotThrow(() => deleteCookie("__Host-a", Object.freeze({ partitioned: true })));
  });

  it("reads each option once, so a getter cannot change its answer after the check", () => {
    let reads = 0;
    const options = {
      get path() {
        reads++;
        return reads === 1 ? "/" : "/evil;Domain=x";
      },
    };
    assert.equal(
      serializeLoose("__Host-a", "b", options),
      "__Host-a=b; Path=/; Secure; HttpOnly; SameSite=Strict",
    );
    assert.equal(reads, 1);
  });
});

describe("serializeCookie refuses names", () => {
  it("refuses an empty name", () =>
    refuses(() => serializeCookie("", "v"), TypeError, "invalid-cookie-name"));

  it("refuses a name that is not an RFC 9110 token", () => {
    for (
      const name of [
        "a b",
        "a=b",
        "a;b",
        "a,b",
        "(a)",
        "a/b",
        "a\tb",
        "é",
        "a\u0000",
        '"a"',
        "a:b",
        "a@b",
        "[a]",
      ]
    ) {
      refuses(() => serializeCookie(name, "v"), TypeError, "invalid-cookie-name");
    }
  });

  it("refuses a name that is not a string", () => {
    refuses(() => serializeLoose(42 as unknown as string, "v"), TypeError, "invalid-cookie-name");
  });
});

describe("serializeCookie refuses values", () => {
  it("refuses a value outside cookie-octets, without echoing it", () => {
    for (const bad of [" ", '"', ",", ";", "\\", "\u0000", "\t", "\u007f", "é", "\u2028", "😀"]) {
      refuses(
        () => serializeCookie("a", `${SECRET}${bad}${SECRET}`),
        TypeError,
        "invalid-cookie-value",
      );
    }
  });

  it("refuses a DQUOTE-wrapped value (the readers would strip the quotes)", () => {
    refuses(() => serializeCookie("a", `"${SECRET}"`), TypeError, "invalid-cookie-value");
  });

  it("refuses a value that is not a string", () => {
    refuses(() => serializeLoose("a", 1 as unknown as string), TypeError, "invalid-cookie-value");
  });

  it("refuses a name plus value over 4096 bytes", () => {
    assert.doesNotThrow(() => serializeCookie("ab", "x".repeat(4094)));
    refuses(
      () => serializeCookie("ab", SECRET + "x".repeat(4095 - SECRET.length)),
      RangeError,
      "cookie-too-large",
    );
  });
});

describe("serializeCookie refuses prefix violations", () => {
  it("refuses __Host- without Secure", () => {
    for (const name of ["__Host-a", "__host-a", "__HoSt-a"]) {
      refuses(
        () => serializeLoose(name, "v", { secure: false }),
        TypeError,
        "cookie-prefix-violation",
      );
    }
  });

  it("refuses __Host- with a Path other than /", () => {
    refuses(
      () => serializeLoose("__Host-a", "v", { path: "/app" }),
      TypeError,
      "cookie-prefix-violation",
    );
    refuses(
      () => serializeLoose("__HOST-a", "v", { path: "//" }),
      TypeError,
      "cookie-prefix-violation",
    );
  });

  it("refuses __Host- with a Domain", () => {
    refuses(
      () => serializeLoose("__host-a", "v", { domain: "example.com" }),
      TypeError,
      "cookie-prefix-violation",
    );
  });

  it("refuses __Secure- without Secure", () => {
    for (const name of ["__Secure-a", "__secure-a", "__SECURE-a"]) {
      refuses(
        () => serializeLoose(name, "v", { secure: false }),
        TypeError,
        "cookie-prefix-violation",
      );
    }
  });

  it("refuses __Http- and __Host-Http- without HttpOnly or Secure", () => {
    for (const name of ["__Http-a", "__http-a", "__Host-Http-a", "__host-http-a"]) {
      refuses(
        () => serializeLoose(name, "v", { httpOnly: false }),
        TypeError,
        "cookie-prefix-violation",
      );
      refuses(
        () => serializeLoose(name, "v", { secure: false }),
        TypeError,
        "cookie-prefix-violation",
      );
    }
  });
});

describe("serializeCookie refuses insecure combinations", () => {
  it("refuses SameSite=None without Secure", () => {
    refuses(
      () => serializeLoose("a", "v", { secure: false, sameSite: "None" }),
      TypeError,
      "insecure-cookie",
    );
  });

  it("refuses Partitioned without Secure", () => {
    refuses(
      () => serializeLoose("a", "v", { secure: false, partitioned: true }),
      TypeError,
      "insecure-cookie",
    );
  });
});

describe("serializeCookie refuses attributes", () => {
  it("refuses Max-Age above 400 days", () => {
    refuses(
      () => serializeCookie("a", "v", { maxAge: MAX_COOKIE_AGE_SECONDS + 1 }),
      RangeError,
      "invalid-cookie-attribute",
    );
  });

  it("refuses a non-integer or negative Max-Age", () => {
    for (const maxAge of [1.5, -1, NaN, Infinity, -Infinity, "10", 1e300]) {
      refuses(() => serializeLoose("a", "v", { maxAge }), RangeError, "invalid-cookie-attribute");
    }
  });

  it("refuses an invalid Expires date", () => {
    refuses(
      () => serializeCookie("a", "v", { expires: new Date(NaN) }),
      RangeError,
      "invalid-cookie-attribute",
    );
  });

  it("refuses an Expires outside the years 1601 to 9999", () => {
    for (const year of [1600, 10000, -5]) {
      const expires = new Date(Date.UTC(2000, 0, 1));
      expires.setUTCFullYear(year);
      refuses(() => serializeCookie("a", "v", { expires }), RangeError, "invalid-cookie-attribute");
    }
    assert.match(
      serializeCookie("a", "v", { expires: new Date(Date.UTC(9999, 11, 31)) }),
      /Expires=Fri, 31 Dec 9999/,
    );
  });

  it("refuses an Expires that is not a Date", () => {
    refuses(
      () => serializeLoose("a", "v", { expires: Date.now() }),
      TypeError,
      "invalid-cookie-attribute",
    );
    refuses(
      () => serializeLoose("a", "v", { expires: "2030-01-01" }),
      TypeError,
      "invalid-cookie-attribute",
    );
  });

  it("refuses control characters, spaces, ; and non-ASCII in the path", () => {
    for (
      const path of [
        "/a;b",
        "/a\u0000",
        "/a\r\nSet-Cookie: x=y",
        "/a\u007f",
        "/é",
        "/a b",
        "/a\t",
        "/a ",
      ]
    ) {
      refuses(() => serializeCookie("a", "v", { path }), TypeError, "invalid-cookie-attribute");
    }
  });

  it("refuses a comma in the path: a re-split Set-Cookie would read a second cookie", () => {
    for (const path of ["/a,b=c", "/a,b=c; Secure", "/,"]) {
      refuses(() => serializeCookie("a", "v", { path }), TypeError, "invalid-cookie-attribute");
    }
  });

  it("refuses ?, #, backslash and quote in the path: no request path can match them", () => {
    for (const path of ["/a?b", "/a#b", "/a\\b", '/a"b', '"/a"']) {
      refuses(() => serializeCookie("a", "v", { path }), TypeError, "invalid-cookie-attribute");
    }
    for (const path of ["/", "/app", "/a-b_c.d~e/%20f", "/a:b@c!$&'()*+=/"]) {
      assert.ok(serializeCookie("a", "v", { path }).includes(`; Path=${path};`));
    }
  });

  it("refuses a path that does not start with /", () => {
    for (const path of ["", "app", " /app"]) {
      refuses(() => serializeCookie("a", "v", { path }), TypeError, "invalid-cookie-attribute");
    }
  });

  it("refuses control characters, ; and malformed host names in the domain", () => {
    const bad = [
      "",
      ".",
      "a;b.com",
      "a\u0000.com",
      "a.com\r\n",
      "a b.com",
      "é.com",
      "a..com",
      "a.com.",
      "-a.com",
      "a-.com",
      "[::1]",
      "a_b.com",
      "x".repeat(64) + ".com",
      "..a.com",
    ];
    for (const domain of bad) {
      refuses(() => serializeCookie("a", "v", { domain }), TypeError, "invalid-cookie-attribute");
    }
    for (const domain of [".example.com", "example.com", "127.0.0.1", "localhost", "a-b.x1.io"]) {
      assert.ok(serializeCookie("a", "v", { domain }).includes(`; Domain=${domain};`));
    }
  });

  it("refuses a domain over 253 characters, and accepts one of exactly 253", () => {
    const label = "d".repeat(63);
    const name253 = [label, label, label, "e".repeat(61)].join("."); // 3 * 64 + 61 = 253
    assert.equal(name253.length, 253);
    for (const domain of [name253, "." + name253]) {
      assert.ok(serializeCookie("a", "v", { domain }).includes(`; Domain=${domain};`));
    }
    for (
      const domain of [name253 + "e", "." + name253 + "e", [label, label, label, label].join(".")]
    ) {
      refuses(() => serializeCookie("a", "v", { domain }), RangeError, "invalid-cookie-attribute");
    }
  });

  it("refuses an attribute value over 1024 bytes", () => {
    refuses(
      () => serializeCookie("a", "v", { path: "/" + "p".repeat(1024) }),
      RangeError,
      "cookie-too-large",
    );
    assert.doesNotThrow(() => serializeCookie("a", "v", { path: "/" + "p".repeat(1023) }));
    const label = "d".repeat(63);
    const domain = Array.from({ length: 17 }, () => label).join("."); // 17 * 64 - 1 = 1087 bytes
    refuses(() => serializeCookie("a", "v", { domain }), RangeError, "cookie-too-large");
  });

  it("refuses a SameSite value other than Strict, Lax or None", () => {
    for (const sameSite of ["strict", "lax", "none", "", "Default", true]) {
      refuses(() => serializeLoose("a", "v", { sameSite }), TypeError, "invalid-cookie-attribute");
    }
  });

  it("refuses non-boolean flags", () => {
    for (const key of ["secure", "httpOnly", "partitioned"]) {
      refuses(
        () => serializeLoose("a", "v", { [key]: "false" }),
        TypeError,
        "invalid-cookie-attribute",
      );
    }
  });

  it("refuses an unknown option instead of ignoring a typo", () => {
    refuses(() => serializeLoose("a", "v", { maxage: 10 }), TypeError, "invalid-cookie-attribute");
    refuses(
      () => serializeLoose("a", "v", { priority: "High" }),
      TypeError,
      "invalid-cookie-attribute",
    );
  });

  it("refuses options that are not an object", () => {
    for (const options of [null, "Secure", 1]) {
      refuses(() => serializeLoose("a", "v", options), TypeError, "invalid-argument");
    }
  });
});

describe("deleteCookie", () => {
  it("emits Max-Age=0 with an empty value and the defaults", () => {
    assert.equal(
      deleteCookie("sid"),
      "sid=; Path=/; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; SameSite=Strict",
    );
  });

  it("keeps the name, path, domain and flags of the cookie it deletes", () => {
    assert.equal(
      deleteCookie("__Secure-a", {
        path: "/app",
        domain: "example.com",
        sameSite: "None",
        partitioned: true,
      }),
      "__Secure-a=; Path=/app; Domain=example.com; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT; " +
        "Secure; HttpOnly; SameSite=None; Partitioned",
    );
  });

  it("keeps what a __Host- prefix requires", () => {
    assert.match(
      deleteCookie("__Host-sid"),
      /^__Host-sid=; Path=\/; Max-Age=0; .*; Secure; HttpOnly;/,
    );
  });

  it("refuses maxAge and expires", () => {
    refuses(() => deleteLoose("a", { maxAge: 10 }), TypeError, "invalid-cookie-attribute");
    refuses(() => deleteLoose("a", { expires: new Date() }), TypeError, "invalid-cookie-attribute");
  });

  it("refuses what serializeCookie refuses", () => {
    refuses(
      () => deleteLoose("__Host-a", { domain: "example.com" }),
      TypeError,
      "cookie-prefix-violation",
    );
    refuses(() => deleteCookie("a b"), TypeError, "invalid-cookie-name");
    refuses(() => deleteCookie("a", { path: "/;x" }), TypeError, "invalid-cookie-attribute");
  });
});

describe("prefix rules in the types", () => {
  // Each @ts-expect-error fails `deno check` / `tsc -p tsconfig.test.json` if the types accept it.
  it("rejects at compile time what the prefixes forbid", () => {
    // @ts-expect-error a __Host- cookie has no Domain
    assert.throws(() => serializeCookie("__Host-x", "v", { domain: "a.com" }));
    // @ts-expect-error a __Host- cookie has Path=/
    assert.throws(() => serializeCookie("__Host-x", "v", { path: "/a" }));
    // @ts-expect-error a __Host- cookie is Secure
    assert.throws(() => serializeCookie("__Host-x", "v", { secure: false }));
    // @ts-expect-error prefixes are matched in any letter case
    assert.throws(() => serializeCookie("__host-x", "v", { domain: "a.com" }));
    // @ts-expect-error a __Secure- cookie is Secure
    assert.throws(() => serializeCookie("__SECURE-x", "v", { secure: false }));
    // @ts-expect-error a __Http- cookie is HttpOnly
    assert.throws(() => serializeCookie("__Http-x", "v", { httpOnly: false }));
    // @ts-expect-error a __Host-Http- cookie is HttpOnly
    assert.throws(() => serializeCookie("__Host-Http-x", "v", { httpOnly: false }));
    // @ts-expect-error SameSite=None needs Secure
    assert.throws(() => serializeCookie("x", "v", { secure: false, sameSite: "None" }));
    // @ts-expect-error Partitioned needs Secure
    assert.throws(() => serializeCookie("x", "v", { secure: false, partitioned: true }));
    // @ts-expect-error deleteCookie takes no maxAge
    assert.throws(() => deleteCookie("x", { maxAge: 1 }));
    // @ts-expect-error deleting a __Host- cookie has no Domain either
    assert.throws(() => deleteCookie("__Host-x", { domain: "a.com" }));
  });

  it("accepts what the prefixes allow", () => {
    serializeCookie("__Host-x", "v", { path: "/", sameSite: "Lax", maxAge: 1 });
    serializeCookie("__Secure-x", "v", { domain: "a.com", path: "/a" });
    serializeCookie("x", "v", { secure: false, sameSite: "Lax" });
    const dynamic: string = "__Host-x";
    const options: CookieOptions = { maxAge: 1 };
    serializeCookie(dynamic, "v", options);
    const isProduction = true as boolean;
    serializeCookie("x", "v", { secure: isProduction });
  });
});

describe("serializeCookie properties", () => {
  it("round-trips every valid name and value through parseCookies", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(cookieName, cookieValue), {
          selector: ([n]) => n,
          minLength: 1,
          maxLength: 8,
        }),
        (pairs) => {
          const header = pairs.map(([n, v]) => serializeCookie(n, v).split("; ")[0]).join("; ");
          const parsed = parseCookies(header);
          assert.deepEqual(Object.keys(parsed).sort(), pairs.map(([n]) => n).sort());
          for (const [n, v] of pairs) assert.equal(parsed[n], v);
        },
      ),
    );
  });

  it("either emits a header or throws a coded error that never contains the value", () => {
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 8 }), (n, v) => {
        try {
          serializeLoose(n, v);
        } catch (error) {
          assert.equal(typeof (error as { code?: unknown }).code, "string");
          assert.ok(!(error as Error).message.includes(v));
        }
      }),
    );
  });
});
