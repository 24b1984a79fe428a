// A StrykerJS ignorer: MemoryStore members outside the store contract (its constructor options,
// `size`, `dump`) are not mutated — the conformance kit cannot observe them by design
// (docs/mutation.md).
import { declareValuePlugin, PluginKind } from "@stryker-mutator/api/plugin";

const OUTSIDE_CONTRACT = new Set(["constructor", "size", "dump"]);

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, "outside-contract", {
    shouldIgnore(path) {
      if (
        path.isClassMethod() && path.node.key.type === "Identifier" &&
        OUTSIDE_CONTRACT.has(path.node.key.name)
      ) {
        return `${path.node.key.name} is not part of the store contract`;
      }
      return undefined;
    },
  }),
];
