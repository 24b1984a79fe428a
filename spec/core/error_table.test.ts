// docs/errors.md documents every code sessionkit can produce. The codes are read from the source
// (the code unions and every literal passed to typeError / rangeError / new SessionError in src/,
// and the origin-check reasons), so a new code without a row in the table fails here.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = new URL("../..", import.meta.url);
const read = (path: string): string => readFileSync(new URL(path, root), "utf8");

function sourceFiles(dir: string): string[] {
  return readdirSync(new URL(dir, root), { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(`${dir}${entry.name}/`)
      : entry.name.endsWith(".ts")
      ? [join(dir, entry.name)]
      : []
  );
}

/** The string literals of `export type <name> = | "a" | "b";` in `source`. */
function unionMembers(source: string, name: string): string[] {
  const match = new RegExp(`export type ${name} =([^;]*);`).exec(source);
  assert.ok(match, `type ${name} not found`);
  return [...match[1]!.matchAll(/"([a-z-]+)"/g)].map((m) => m[1]!);
}

function sourceCodes(): Map<string, string> {
  const codes = new Map<string, string>(); // code -> where it was found
  const errors = read("src/core/errors.ts");
  for (const name of ["SessionErrorCode", "ArgumentErrorCode"]) {
    for (const code of unionMembers(errors, name)) codes.set(code, name);
  }
  const http = read("src/web/http.ts");
  for (const name of ["OriginAccepted", "OriginRefused"]) {
    for (const code of unionMembers(http, name)) codes.set(code, name);
  }
  for (const file of sourceFiles("src/")) {
    const text = read(file);
    for (const m of text.matchAll(/(?:typeError|rangeError|new SessionError)\(\s*"([a-z-]+)"/g)) {
      if (!codes.has(m[1]!)) codes.set(m[1]!, file);
    }
  }
  return codes;
}

function tableCodes(): Set<string> {
  const table = read("docs/errors.md");
  return new Set([...table.matchAll(/^\| `([a-z-]+)` +\|/gm)].map((m) => m[1]!));
}

describe("docs/errors.md", () => {
  it("has a row for every error code and origin-check reason found in src/", () => {
    const documented = tableCodes();
    const codes = sourceCodes();
    assert.ok(codes.size >= 29, `only ${codes.size} codes found: the extraction is broken`);
    const missing = [...codes].filter(([code]) => !documented.has(code));
    assert.deepEqual(missing, [], "codes without a row in docs/errors.md (code, where)");
  });

  it("has no row for a code that src/ no longer produces", () => {
    const codes = sourceCodes();
    const stale = [...tableCodes()].filter((code) => !codes.has(code));
    assert.deepEqual(stale, []);
  });

  it("is linked from the README", () => {
    assert.match(read("README.md"), /\]\(docs\/errors\.md\)/);
  });
});
