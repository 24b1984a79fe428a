// Fails when deno.json and package.json disagree on the version or on the subpath export keys,
// or when a subpath's source entry differs between the manifests and tsup's entry list.
import { readFileSync } from "node:fs";

const deno = JSON.parse(readFileSync(new URL("../deno.json", import.meta.url), "utf8"));
const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
const problems = [];

if (deno.version !== pkg.version) {
  problems.push(`version: deno.json ${deno.version} vs package.json ${pkg.version}`);
}
const denoKeys = Object.keys(deno.exports ?? {}).sort();
const pkgKeys = Object.keys(pkg.exports ?? {}).filter((k) => k !== "./package.json").sort();
if (JSON.stringify(denoKeys) !== JSON.stringify(pkgKeys)) {
  problems.push(`exports: deno.json [${denoKeys}] vs package.json [${pkgKeys}]`);
}
for (const key of pkgKeys) {
  const name = key === "." ? "mod" : key.slice(2);
  const entry = pkg.exports[key];
  const files = [entry?.import?.default, entry?.require?.default, entry?.import?.types];
  const expected = [`./dist/${name}.js`, `./dist/${name}.cjs`, `./dist/${name}.d.ts`];
  if (JSON.stringify(files) !== JSON.stringify(expected)) {
    problems.push(`package.json exports["${key}"] should point at ${expected.join(", ")}`);
  }
}
const tsup = readFileSync(new URL("../tsup.config.ts", import.meta.url), "utf8");
for (const key of denoKeys) {
  const name = key === "." ? "mod" : key.slice(2);
  const source = deno.exports[key].replace(/^\.\//, "");
  if (
    !new RegExp(`["']?${name}["']?:\\s*["']${source.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}["']`)
      .test(tsup)
  ) {
    problems.push(`tsup.config.ts must build "${name}" from ${source}`);
  }
}
if (problems.length > 0) {
  console.error(`Manifests disagree:\n- ${problems.join("\n- ")}`);
  process.exit(1);
}
console.log(`Manifests agree: version ${pkg.version}, exports ${pkgKeys.join(" ")}`);
