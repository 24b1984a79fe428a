// Versions of the packages bench/compare/compare.ts measures, read from their package.json files.
import { readFileSync } from "node:fs";
import process from "node:process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

const PACKAGES = [
  "ioredis",
  "ioredis6",
  "redis",
  "express-session",
  "connect-redis",
  "jose",
  "cookie",
] as const;

/** Packages installed under another name (`"ioredis6": "npm:ioredis@6.0.0"`). */
const ALIASES: Record<string, string> = { ioredis6: "ioredis" };

export function versions(): Record<string, string> {
  const require = createRequire(join(process.cwd(), "package.json"));
  const found: Record<string, string> = {};
  for (const name of PACKAGES) {
    try {
      const main = require.resolve(name);
      let dir = dirname(main);
      for (let i = 0; i < 6; i++) {
        try {
          const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
          if (pkg.name === (ALIASES[name] ?? name)) {
            found[name] = pkg.version;
            break;
          }
        } catch {
          // Keep walking up.
        }
        dir = dirname(dir);
      }
    } catch {
      found[name] = "missing";
    }
  }
  return found;
}
