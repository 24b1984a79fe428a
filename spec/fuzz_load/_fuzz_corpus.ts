// The fuzz corpus (nasty inputs every string target receives besides the generated ones) and the
// linear-time measurement of the Cookie header readers, shared by spec/fuzz_load/fuzz.test.ts and
// bench/drivers/fuzz.ts through spec/fuzz_load/_fuzz_targets.ts.

/** Nasty inputs every string target also receives, besides the generated ones. */
export const CORPUS: readonly string[] = [
  "",
  ";",
  "=",
  "==",
  ";;;;;;",
  "=;=;=;",
  " ; = ; ",
  "\t=\t",
  '"',
  '""',
  '=""',
  'a="',
  'a=""""',
  "\u0000",
  "a=\u0000b",
  "\r\n",
  "a=b\r\nSet-Cookie: evil=1",
  "\uFEFFsid=1",
  "\uD800",
  "sid=\uDFFF",
  "__proto__=polluted",
  "constructor=polluted; prototype=x",
  "__proto__[polluted]=1",
  "toString=1; valueOf=2; hasOwnProperty=3",
  "sid=a; sid=b; SID=c",
  "%73id=1",
  "a.b",
  ".",
  "..",
  "a..b",
  `${"A".repeat(22)}.${"A".repeat(43)}`,
  `${"A".repeat(22)}.${"A".repeat(42)}B`,
  `${"A".repeat(64)}.${"A".repeat(43)}`,
  `${"A".repeat(65)}.${"A".repeat(43)}`,
  `${"+".repeat(22)}.${"/".repeat(43)}`,
  "e30.e30.",
  "e30.e30.e30",
  "eyJhbGciOiJub25lIn0.e30.",
  "Bearer ",
  "bearer\t" + "A".repeat(22) + "." + "A".repeat(43),
  "a".repeat(5000),
  "a=".repeat(2000),
  ";".repeat(5000),
  " ".repeat(5000),
  "a=b; ".repeat(1000),
  "=".repeat(5000),
  '"'.repeat(5000),
  "\u{1F600}=\u{1F600}",
  "{}",
  "{tag}:s:x",
  "}{",
  "*",
  "?",
  "[a-z]",
  "\\",
];

/**
 * Times `body` on a 1 MB input and on a 100 KB input of the same shape and returns the ratio
 * (linear time gives about 10). The 100 KB side is timed over 10 calls and divided, so both sides
 * measure the same amount of work; each side is the best of `repeats`.
 */
export function sizeRatio<T>(
  shape: (bytes: number) => string,
  prepare: (header: string) => T,
  body: (input: T) => unknown,
  repeats = 7,
): number {
  const best = (input: T, calls: number) => {
    let min = Infinity;
    for (let i = 0; i < repeats; i++) {
      const start = performance.now();
      for (let c = 0; c < calls; c++) body(input);
      min = Math.min(min, (performance.now() - start) / calls);
    }
    return Math.max(min, 0.001);
  };
  const small = prepare(shape(100_000));
  const large = prepare(shape(1_000_000));
  best(small, 10); // warm-up
  return best(large, 1) / best(small, 10);
}

/** Header shapes that make naive parsers quadratic. */
export const LINEAR_SHAPES: Record<string, (bytes: number) => string> = {
  "many pairs": (n) => "a=b; ".repeat(n / 5),
  "only semicolons": (n) => ";".repeat(n),
  "only equals signs": (n) => "=".repeat(n),
  "no separator": (n) => "x".repeat(n),
  "spaces then a pair": (n) => " ".repeat(n - 4) + "a=b",
  "pairs without =": (n) => "abcd;".repeat(n / 5),
  "quotes": (n) => 'a="'.repeat(n / 3),
  "one = then semicolons": (n) => "a=" + ";".repeat(n - 2),
};
