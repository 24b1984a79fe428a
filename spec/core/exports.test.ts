// The public surface is a reviewed list: a name added to or removed from an entry point fails
// here until `spec/core/_exports_snapshot.ts` is updated in the same change (and reviewed). The
// names are read from the entry points' `export { … }` lists, so types count as well as values.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { EXPORTS } from "./_exports_snapshot.ts";

const root = new URL("../../", import.meta.url);
const deno = JSON.parse(readFileSync(new URL("deno.json", root), "utf8")) as {
  exports: Record<string, string>;
};

/** The names an entry point exports, following `export … from` lists of its own files only. */
function exportedNames(file: string): string[] {
  const text = readFileSync(new URL(file, root), "utf8");
  const names = new Set<string>();
  for (const match of text.matchAll(/^export (?:type )?\{([^}]*)\}/gm)) {
    for (const part of match[1]!.split(",")) {
      const name = part.replace(/^\s*type\s+/, "").trim().split(/\s+as\s+/).pop()!;
      if (name !== "") names.add(name);
    }
  }
  for (
    const match of text.matchAll(
      /^export (?:declare )?(?:async )?(?:function|class|const|type|interface|let) ([A-Za-z0-9_$]+)/gm,
    )
  ) {
    names.add(match[1]!);
  }
  return [...names].sort();
}

describe("the public surface", () => {
  it("every entry point exports exactly its reviewed names", () => {
    assert.deepEqual(Object.keys(EXPORTS).sort(), Object.keys(deno.exports).sort());
    for (const [entry, file] of Object.entries(deno.exports)) {
      assert.deepEqual(exportedNames(file), [...EXPORTS[entry]!].sort(), entry);
    }
  });

  it("the root exports no error factory and no store-author helper", () => {
    const rootNames = new Set(exportedNames(deno.exports["."]!));
    for (
      const name of ["typeError", "rangeError", "hashSecret", "constantTimeEqual", "checkArguments"]
    ) {
      assert.ok(!rootNames.has(name), name);
    }
  });
});
