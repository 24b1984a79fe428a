// getCookie and parseCookies: RFC 6265 quoting and duplicates, prototype-safe names, malformed and
// adversarial (1 MB) headers, and agreement with an independent oracle and with each other.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { getCookie, parseCookies } from "../../src/web/cookie.ts";
import { cookieName, cookieValue } from "./_cookie_arbitraries.ts";

/** An independent, obviously-correct (and slow) reading of the documented rules. */
function oracle(header: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const segment of header.split(";")) {
    const eq = segment.indexOf("=");
    if (eq === -1) continue;
    const name = segment.slice(0, eq).replace(/^[ \t]+|[ \t]+$/g, "");
    let value = segment.slice(eq + 1).replace(/^[ \t]+|[ \t]+$/g, "");
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
      value = value.slice(1, -1);
    }
    if (name !== "" && !out.has(name)) out.set(name, value);
  }
  return out;
}

function assertMatchesOracle(header: string): void {
  const parsed = parseCookies(header);
  const expected = oracle(header);
  assert.deepEqual(new Map(Object.entries(parsed)), expected);
  for (const [name, value] of expected) assert.equal(getCookie(header, name), value);
}

describe("parseCookies and getCookie", () => {
  it("read name=value pairs separated by ; with optional spaces and tabs", () => {
    const header = "a=1;b=2;  c = 3 ;\td\t=\t4\t";
    assert.deepEqual({ ...parseCookies(header) }, { a: "1", b: "2", c: "3", d: "4" });
    assert.equal(getCookie(header, "c"), "3");
    assert.equal(getCookie(header, "d"), "4");
  });

  it("keep the first occurrence of a repeated name", () => {
    const header = "sid=first; other=x; sid=second";
    assert.equal(parseCookies(header).sid, "first");
    assert.equal(getCookie(header, "sid"), "first");
  });

  it("strip exactly one pair of surrounding DQUOTEs", () => {
    const header = 'a="x"; b=""y""; c="; d=""; e="z; f=w"';
    const parsed = parseCookies(header);
    assert.deepEqual({ ...parsed }, { a: "x", b: '"y"', c: '"', d: "", e: '"z', f: 'w"' });
    for (const name of Object.keys(parsed)) assert.equal(getCookie(header, name), parsed[name]);
  });

  it("keep = inside a value and do not decode it", () => {
    const header = "a=b=c; p=%20%3B";
    assert.equal(parseCookies(header).a, "b=c");
    assert.equal(getCookie(header, "p"), "%20%3B");
  });

  it("skip segments without = and with an empty name", () => {
    const header = "junk; =nameless; ;; a=1; flag";
    assert.deepEqual({ ...parseCookies(header) }, { a: "1" });
    assert.equal(getCookie(header, "junk"), undefined);
    assert.equal(getCookie(header, ""), undefined);
  });

  it("do not split on commas (no RFC 2965 folding)", () => {
    assert.deepEqual({ ...parseCookies("a=1, b=2") }, { a: "1, b=2" });
  });

  it("compare names exactly and case-sensitively", () => {
    const header = "SID=upper; sid=lower";
    assert.equal(getCookie(header, "sid"), "lower");
    assert.equal(getCookie(header, "Sid"), undefined);
    assert.equal(getCookie(header, " sid"), undefined);
    assert.equal(getCookie(header, "sid=lower"), undefined);
  });

  it("treat __proto__, constructor and other Object.prototype names as plain keys", () => {
    const header = "__proto__=p; constructor=c; toString=t; hasOwnProperty=h; valueOf=v";
    const parsed = parseCookies(header);
    assert.equal(Object.getPrototypeOf(parsed), null);
    assert.deepEqual(Object.keys(parsed), [
      "__proto__",
      "constructor",
      "toString",
      "hasOwnProperty",
      "valueOf",
    ]);
    assert.equal(parsed["__proto__"], "p");
    assert.equal(getCookie(header, "__proto__"), "p");
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    const empty = parseCookies("a=1");
    for (const name of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      assert.equal(empty[name], undefined);
      assert.equal(getCookie("a=1", name), undefined);
    }
  });

  it("read anything that is not a string as no cookies", () => {
    for (const header of [null, undefined, 42, {}, ["a=1"]] as unknown as string[]) {
      assert.deepEqual(Object.keys(parseCookies(header)), []);
      assert.equal(getCookie(header, "a"), undefined);
    }
    assert.equal(getCookie("a=1", 1 as unknown as string), undefined);
  });
});

describe("adversarial 1 MB headers", () => {
  const MB = 1 << 20;
  const cases: [string, string, Record<string, string>][] = [
    ["only semicolons", ";".repeat(MB), {}],
    ["only equals signs", "=".repeat(MB), {}],
    ["one long name without =", "a".repeat(MB), {}],
    ["many segments without = before the only pair", "a;".repeat(MB / 2) + "b=1", { b: "1" }],
    ["many empty names", "=x;".repeat(MB / 3) + "b=2", { b: "2" }],
    ["spaces before a pair", " ".repeat(MB) + "a=1", { a: "1" }],
    ["tabs around the name", "\t".repeat(MB / 2) + "a" + "\t".repeat(MB / 2) + "=1", { a: "1" }],
    ["a value of quotes", "a=" + '"'.repeat(MB), { a: '"'.repeat(MB - 2) }],
    ["one name repeated", "x=1; ".repeat(MB / 5), { x: "1" }],
    ["a long name then its value", "n".repeat(MB) + "=v", { ["n".repeat(MB)]: "v" }],
  ];
  for (const [label, header, expected] of cases) {
    it(`reads ${label} correctly`, () => {
      assert.ok(header.length >= MB - 5);
      assert.deepEqual({ ...parseCookies(header) }, expected);
      for (const [name, value] of Object.entries(expected)) {
        assert.equal(getCookie(header, name), value);
      }
      assert.equal(getCookie(header, "missing"), undefined);
      assert.equal(getCookie(header, "a".repeat(1000)), undefined);
    });
  }

  it("reads 100 000 distinct cookies", () => {
    const header = Array.from({ length: 100_000 }, (_, i) => `c${i}=${i}`).join("; ");
    const parsed = parseCookies(header);
    assert.equal(Object.keys(parsed).length, 100_000);
    assert.equal(parsed.c0, "0");
    assert.equal(parsed.c99999, "99999");
    assert.equal(getCookie(header, "c99999"), "99999");
    assert.equal(getCookie(header, "c100000"), undefined);
  });
});

describe("reader properties", () => {
  const cookieish = fc.string({
    unit: fc.constantFrom("a", "b", "=", ";", " ", "\t", '"', ",", "_"),
  });
  const headers = fc.oneof(fc.string(), fc.string({ unit: "binary" }), cookieish);

  it("never throw on arbitrary strings", () => {
    fc.assert(
      fc.property(headers, fc.string(), (header, name) => {
        parseCookies(header);
        getCookie(header, name);
      }),
      { numRuns: 500 },
    );
  });

  it("parseCookies matches the independent oracle", () => {
    fc.assert(fc.property(headers, (header) => assertMatchesOracle(header)), { numRuns: 500 });
  });

  it("getCookie(h, n) agrees with parseCookies(h)[n]", () => {
    const names = fc.oneof(
      fc.constantFrom("a", "b", "ab", "a b", "", " a", "__proto__", "constructor", "toString"),
      fc.string(),
    );
    fc.assert(
      fc.property(headers, names, (header, name) => {
        assert.equal(getCookie(header, name), parseCookies(header)[name]);
      }),
      { numRuns: 1000 },
    );
  });

  it("reads back a header built from valid cookies, whatever the spacing", () => {
    const pair = fc.tuple(cookieName, cookieValue, fc.constantFrom("", " ", "\t", "  "));
    fc.assert(
      fc.property(fc.array(pair, { maxLength: 10 }), (pairs) => {
        const header = pairs.map(([n, v, ws]) => `${ws}${n}${ws}=${ws}${v}${ws}`).join(";");
        const expected = new Map<string, string>();
        for (const [n, v] of pairs) if (!expected.has(n)) expected.set(n, v);
        assert.deepEqual(new Map(Object.entries(parseCookies(header))), expected);
        for (const [n, v] of expected) assert.equal(getCookie(header, n), v);
      }),
    );
  });
});
