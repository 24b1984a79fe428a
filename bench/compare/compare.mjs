// Runs bench/compare/compare.ts on Node 20 without a TypeScript loader: bundles it (and the src/ files it
// imports) with esbuild into node_modules/.cache, packages left external, then imports it.
// Usage: npm run bench:compare [-- --quick]
import { build } from "esbuild";
import { fileURLToPath, pathToFileURL } from "node:url";
import { dirname, join } from "node:path";
import { rmSync } from "node:fs";
import process from "node:process";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
// One bundle per process: node_modules may be shared by several checkouts running benches at once.
const outfile = join(
  root,
  "node_modules",
  ".cache",
  "sessionkit-bench",
  `compare-${process.pid}.mjs`,
);
await build({
  entryPoints: [join(root, "bench", "compare", "compare.ts")],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  outfile,
  logLevel: "warning",
});
process.on("exit", () => rmSync(outfile, { force: true }));
await import(pathToFileURL(outfile).href);
