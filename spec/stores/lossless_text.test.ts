// The lossless text form of SQLiteStore and DenoKvStore: well-formed text stays as it is, every
// string round-trips, and no two strings share a form.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { decodeText, encodeText } from "../../src/stores/_lossless_text.ts";
import { LONE } from "./_lone_surrogate_cases.ts";

const WELL_FORMED = [
  "ada",
  "é",
  "日本",
  "\ud83d\ude00",
  "x".repeat(256),
  "a\u0000b",
  "",
  "a\u0001",
];

describe("lossless text", () => {
  it("keeps well-formed text that does not start with U+0001 as it is", () => {
    for (const text of WELL_FORMED) assert.equal(encodeText(text), text);
  });

  it("gives every other string a well-formed form that round-trips", () => {
    const forms = new Set<string>();
    for (const text of [...WELL_FORMED, ...LONE, "\u0001", "\u0001\u0001"]) {
      const form = encodeText(text);
      assert.equal(decodeText(form), text, JSON.stringify(text));
      assert.equal(form, new TextDecoder().decode(new TextEncoder().encode(form)));
      forms.add(form);
    }
    assert.equal(forms.size, WELL_FORMED.length + LONE.length + 2);
    assert.equal(encodeText("\ud83d"), '\u0001"\\ud83d"');
  });

  it("reads a value it cannot have written (an earlier version's) as itself", () => {
    for (const stored of ["\u0001x", '\u0001"a"', "\u00011", '\u0001"\\ud83d\\ude00"']) {
      assert.equal(decodeText(stored), stored);
    }
  });
});
