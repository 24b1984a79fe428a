// Fails when an import in src/ points up the layers or when src/ files import each other in a
// circle. The layers, bottom up, and what each may import (besides itself):
const MAY_IMPORT = {
  core: [],
  model: ["core"],
  stores: ["core", "model"],
  tokens: ["core", "model"],
  testing: ["core", "model"],
  web: ["core"],
  manager: ["core", "model", "tokens"],
  adapters: ["core", "model", "tokens", "manager", "web"],
};
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const src = path.join(root, "src");
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) walk(full);
    else if (name.endsWith(".ts")) files.push(full);
  }
})(src);

const problems = [];
const graph = new Map();
const layerOf = (file) => path.relative(src, file).split(path.sep)[0];
for (const file of files) {
  const layer = layerOf(file);
  if (!(layer in MAY_IMPORT)) problems.push(`${path.relative(root, file)} is in no layer`);
  const text = readFileSync(file, "utf8");
  const targets = [];
  for (
    const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;]*?from\s*["'](\.[^"']+)["']/g)
  ) {
    const target = path.resolve(path.dirname(file), match[1]);
    targets.push(target);
    const to = layerOf(target);
    if (to !== layer && !(MAY_IMPORT[layer] ?? []).includes(to)) {
      problems.push(`${path.relative(root, file)} (${layer}) imports ${match[1]} (${to})`);
    }
  }
  graph.set(file, targets);
}

// Circles: depth-first search with colours; report each back edge's circle once.
const state = new Map();
const stack = [];
function visit(file) {
  state.set(file, "open");
  stack.push(file);
  for (const next of graph.get(file) ?? []) {
    if (state.get(next) === "open") {
      const circle = stack.slice(stack.indexOf(next)).concat(next);
      problems.push(`import circle: ${circle.map((f) => path.relative(root, f)).join(" -> ")}`);
    } else if (!state.has(next)) visit(next);
  }
  stack.pop();
  state.set(file, "done");
}
for (const file of files) if (!state.has(file)) visit(file);

if (problems.length > 0) {
  console.error(`Layering problems:\n- ${problems.join("\n- ")}`);
  process.exit(1);
}
console.log(`Layers hold: ${files.length} files in src/, imports point down, no circle`);
