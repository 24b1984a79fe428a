// StrykerJS ignorers for the MemoryStore mutation run (docs/mutation.md).
// - "outside-contract": members outside the store contract (constructor options, `size`, `dump`)
//   are not mutated; the conformance kit cannot observe them by design.
// - "ci-sample": keeps a fixed third of the top-level statements of each method, chosen by a hash
//   of the statement's source text (stable when lines move), for the CI run.
import { declareValuePlugin, PluginKind } from "@stryker-mutator/api/plugin";

const OUTSIDE_CONTRACT = new Set(["constructor", "size", "dump"]);

/**
 * Code whose every mutant is equivalent through the contract (docs/mutation.md says why), by its
 * source text so that moved lines stay matched: the bounded sweep (garbage collection: every read
 * checks expiry itself) and index bookkeeping that no read can tell apart.
 */
const EQUIVALENT_METHODS = new Set(["sweep"]);
const EQUIVALENT_STATEMENTS = new Set([
  "if (!this.#sessions.has(sessionKey(id))) return id;",
  "if (rec.id !== id) return null;",
  "if (index.size === 0) this.#users.delete(rec.userId);",
]);

/** FNV-1a of a string, 32-bit. */
function fnv(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, "outside-contract", {
    shouldIgnore(path) {
      if (
        (path.isClassMethod() || path.isClassPrivateMethod()) &&
        path.node.key.type === "Identifier" &&
        OUTSIDE_CONTRACT.has(path.node.key.name)
      ) {
        return `${path.node.key.name} is not part of the store contract`;
      }
      if (
        path.isClassPrivateMethod() && path.node.key.type === "PrivateName" &&
        EQUIVALENT_METHODS.has(path.node.key.id.name)
      ) {
        return "garbage collection: every read checks expiry itself (docs/mutation.md)";
      }
      if (path.isStatement() && EQUIVALENT_STATEMENTS.has(path.toString().trim())) {
        return "equivalent through the contract (docs/mutation.md)";
      }
      return undefined;
    },
  }),
  declareValuePlugin(PluginKind.Ignore, "ci-sample", {
    shouldIgnore(path) {
      const block = path.parentPath;
      const method = block?.parentPath;
      if (
        path.isStatement() && block?.isBlockStatement() &&
        (method?.isClassMethod() || method?.isClassPrivateMethod() ||
          method?.isFunctionDeclaration()) &&
        fnv(path.toString()) % 3 !== 0
      ) {
        return "outside the fixed CI sample (one statement in three)";
      }
      return undefined;
    },
  }),
];
