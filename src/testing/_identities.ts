// Private: adversarial identities. Each run draws its user ids and token ids (jti) as a family
// of values that an index can confuse — one a prefix or suffix of another, equal after case
// folding or Unicode normalisation, differing only in a separator or key-syntax character, a NUL
// or a lone UTF-16 surrogate, a number written two ways, a name JavaScript objects already have,
// or at the contract's maximum length — and near-miss session ids beside real ones.

import fc from "fast-check";

/** The contract's limits on user ids and jtis (src/model/_arguments.ts). */
export const MAX_USER_ID_LENGTH = 256;
export const MAX_JTI_LENGTH = 256;
/** The contract's limit on session ids (1–64 base64url characters). */
export const MAX_SESSION_ID_LENGTH = 64;

/** Pairs of fragments that a careless index maps to one key, or reads as one another. */
const CONFUSABLE: readonly (readonly [string, string])[] = [
  ["A", "a"], // case folding
  ["\u00df", "SS"], // "ß".toUpperCase() === "SS"
  ["\u00e9", "e\u0301"], // NFC and NFD of é
  ["\u212b", "\u00c5"], // Angstrom sign and Å: equal after NFC
  ["1", "01"], // numbers as strings
  ["1", "1.0"],
  ["10", "1e1"],
  [":", "_"], // separators
  [":", "::"],
  ["{", "}"], // Redis hash tags
  ["{x}", "x"],
  ["*", "x"], // glob patterns
  ["%", "%25"], // percent-encoding
  ["\\", "\\\\"], // escaping
  ["-", "_"],
  ["\u0000", ""], // NUL
  ["\u0000", "\u0000\u0000"],
  [" ", ""],
  ["", "."],
];
const SURROGATES: readonly (readonly [string, string])[] = [
  ["\ud83d", "\ude00"], // two lone halves: both U+FFFD in UTF-8
  ["\ud83d\ude00", "\ud83d"], // a pair and its high half
  ["\ude00", "\ufffd"], // a lone half and the replacement character
];
/** Names every JavaScript object already has: a store keyed by a plain object confuses them. */
const OBJECT_NAMES = ["__proto__", "constructor", "toString", "hasOwnProperty"] as const;
const STEMS = ["", "u", "U", "user:", "{u}", "1", "j", "\u00e9"] as const;

/**
 * Three distinct values of at most `maxLength` characters (never empty) that collide in one way:
 * stem + confusable pair + tail, a value and its prefix, or values at the maximum length.
 */
export function identityFamily(maxLength: number): fc.Arbitrary<readonly string[]> {
  const pairs = [...CONFUSABLE, ...SURROGATES];
  const fragment = fc.constantFrom(...pairs.flat(), ...OBJECT_NAMES, "z", "0");
  const confusable = fc.record({
    stem: fc.constantFrom(...STEMS),
    pair: fc.constantFrom(...pairs),
    tail: fc.constantFrom("", "1", ":x", "\u0000"),
    third: fc.constantFrom("prefix", "suffix", "upper", "nfd", "fragment"),
    extra: fragment,
  }).map(({ stem, pair, tail, third, extra }) => {
    const a = stem + pair[0] + tail;
    const b = stem + pair[1] + tail;
    const c = third === "prefix"
      ? a.slice(0, -1)
      : third === "suffix"
      ? a + extra
      : third === "upper"
      ? a.toUpperCase()
      : third === "nfd"
      ? a.normalize("NFD")
      : extra;
    return [a, b, c];
  });
  const atLimit = fc.record({
    fill: fc.constantFrom("z", "\u00e9", "%"),
    last: fc.constantFrom(...pairs),
    cut: fc.boolean(),
  }).map(({ fill, last, cut }) => {
    if (cut) {
      // Equal in every character but the last one of the maximum length, and that prefix.
      const body = fill.repeat(maxLength - 1);
      return [body + "1", body + "2", body];
    }
    // Two values that differ only in their last characters, and the longest common prefix.
    const body = fill.repeat(maxLength - 2);
    return [
      (body + last[0]).padEnd(maxLength, "y"),
      (body + last[1]).padEnd(maxLength, "y"),
      body,
    ];
  });
  const objectNames = fc.shuffledSubarray([...OBJECT_NAMES], { minLength: 2, maxLength: 2 })
    .chain((names) => fc.constantFrom(...STEMS).map((stem) => [...names, stem + "1"]));
  return fc.oneof(
    { weight: 6, arbitrary: confusable },
    { weight: 2, arbitrary: atLimit },
    { weight: 1, arbitrary: objectNames },
  ).map((values) => distinct(values, maxLength));
}

/** Makes the values valid (1..max characters) and pairwise distinct, keeping their shapes. */
function distinct(values: readonly string[], maxLength: number): readonly string[] {
  const out: string[] = [];
  for (const raw of values) {
    let v = raw.length === 0 ? "_" : raw.slice(0, maxLength);
    for (let i = 0; out.includes(v); i++) {
      v = (v.slice(0, maxLength - 1) + String(i)).slice(-maxLength);
    }
    out.push(v);
  }
  return out;
}

/** The ways a near-miss session id differs from a real one. */
export type NearMiss = "prefix" | "extended" | "case" | "separator" | "last" | "padded" | "doubled";
export const NEAR_MISSES: readonly NearMiss[] = [
  "prefix",
  "extended",
  "case",
  "separator",
  "last",
  "padded",
  "doubled",
];
export const nearMissArb: fc.Arbitrary<NearMiss> = fc.constantFrom(...NEAR_MISSES);

/**
 * A well-formed session id (base64url, 1–64 characters) that differs from `id` in one way an
 * index can confuse; never `id` itself.
 */
export function nearMissId(id: string, how: NearMiss): string {
  const flipCase = (c: string) => c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase();
  let out: string;
  switch (how) {
    case "prefix":
      out = id.length > 1 ? id.slice(0, -1) : id + "A";
      break;
    case "extended":
      out = id.length < MAX_SESSION_ID_LENGTH ? id + "A" : id.slice(1);
      break;
    case "case": {
      const i = [...id].findIndex((c) => flipCase(c) !== c);
      out = i < 0 ? id.slice(0, -1) + (id.endsWith("0") ? "1" : "0") : id.slice(0, i) +
        flipCase(id[i]!) + id.slice(i + 1);
      break;
    }
    case "separator":
      out = /[-_]/.test(id)
        ? id.replace(/[-_]/, (c) => (c === "-" ? "_" : "-"))
        : id.slice(0, -1) + (id.endsWith("-") ? "_" : "-");
      break;
    case "last":
      out = id.slice(0, -1) + (id.endsWith("B") ? "C" : "B");
      break;
    case "padded":
      out = id.length < MAX_SESSION_ID_LENGTH
        ? id.padEnd(MAX_SESSION_ID_LENGTH, "A")
        : id.slice(0, -2);
      break;
    case "doubled":
      out = (id + id).slice(0, MAX_SESSION_ID_LENGTH);
      if (out === id) out = id.slice(0, -1);
      break;
  }
  return out === id || out.length === 0 ? (id.length > 1 ? id.slice(1) : "B") : out;
}

/** A value near `value` (a user id or jti): prefix, suffix, case, normalisation or separator. */
export function nearMissText(value: string, how: NearMiss, maxLength: number): string {
  const candidates = how === "prefix"
    ? [value.slice(0, -1), value + "\u0000"]
    : how === "extended"
    ? [value + ":", value.slice(1)]
    : how === "case"
    ? [value.toUpperCase(), value.toLowerCase(), value + "A"]
    : how === "separator"
    ? [value.replace(/[:_-]/, (c) => (c === ":" ? "_" : c === "_" ? "-" : ":")), "{" + value + "}"]
    : how === "last"
    ? [value.normalize("NFD"), value.normalize("NFC"), value.slice(0, -1) + "*"]
    : how === "padded"
    ? [value.padEnd(maxLength, "z"), value.slice(0, maxLength - 1) + "%"]
    : [value + value, value + "1"];
  for (const c of candidates) {
    const v = c.slice(0, maxLength);
    if (v.length > 0 && v !== value) return v;
  }
  return value === "_" ? "-" : "_";
}
