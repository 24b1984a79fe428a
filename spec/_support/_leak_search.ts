// Helpers of the "nothing secret leaks" check: everything the library emits during a scripted run
// (errors with their cause chains, events, console output, toString/JSON of public objects) is
// collected as text and searched for the raw secret values seen in the same run.

import { inspect } from "node:util";

/** Text renderings of one value: String, JSON (cycle-safe, own props incl. non-enumerable), inspect. */
export function renderings(value: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>();
  const walk = (v: unknown, depth: number) => {
    if (depth > 8 || seen.has(v)) return;
    if (typeof v === "object" && v !== null) seen.add(v);
    try {
      out.push(String(v));
    } catch {
      // A value without a string form (null-prototype object) has nothing to print.
    }
    try {
      out.push(JSON.stringify(v) ?? "");
    } catch {
      // Cycles or BigInts: the walk below still visits every property.
    }
    try {
      out.push(inspect(v, { depth: 6, showHidden: true, getters: false }));
    } catch {
      // Inspect is a best effort.
    }
    if (typeof v === "object" && v !== null) {
      if (v instanceof Error) {
        out.push(v.message, v.stack ?? "", v.name);
        walk(v.cause, depth + 1);
      }
      for (const key of Object.getOwnPropertyNames(v)) {
        let inner: unknown;
        try {
          inner = (v as Record<string, unknown>)[key];
        } catch {
          continue;
        }
        out.push(key);
        walk(inner, depth + 1);
      }
    }
  };
  walk(value, 0);
  return out;
}

/** Captures console output while `body` runs. */
export async function captureConsole<T>(
  body: () => Promise<T>,
): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const methods = ["log", "info", "warn", "error", "debug", "trace"] as const;
  const saved = methods.map((m) => console[m]);
  for (const m of methods) {
    console[m] = (...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === "string" ? a : inspect(a))).join(" "));
    };
  }
  try {
    return { result: await body(), lines };
  } finally {
    methods.forEach((m, i) => (console[m] = saved[i]!));
  }
}

/**
 * The raw forms to search for: the whole value, and its secret part — the part after the dot of a
 * credential, the signature of a JWT (the header and claims of a JWT are not secret).
 */
export function needlesOf(secretValue: string): string[] {
  const parts = secretValue.split(".");
  const last = parts[parts.length - 1]!;
  return last.length >= 16 && parts.length > 1 ? [secretValue, last] : [secretValue];
}

/** Returns every (needle, haystack excerpt) pair where a needle occurs. */
export function findLeaks(
  haystacks: readonly string[],
  needles: readonly string[],
): { needle: string; where: string }[] {
  const leaks: { needle: string; where: string }[] = [];
  for (const text of haystacks) {
    for (const needle of needles) {
      const at = text.indexOf(needle);
      if (at !== -1) {
        leaks.push({
          needle: needle.slice(0, 6) + "…",
          where: text.slice(Math.max(0, at - 60), at),
        });
      }
    }
  }
  return leaks;
}
