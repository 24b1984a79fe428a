// The CI form of the mutation run: the same as stryker.config.mjs on a fixed sample of about a
// third of MemoryStore's statements (docs/mutation.md). `npm run mutation:ci`.
import base from "./stryker.config.mjs";

export default {
  ...base,
  ignorers: [...base.ignorers, "ci-sample"],
  reporters: ["clear-text", "json"],
  jsonReporter: { fileName: "reports/mutation-ci/mutation.json" },
  tempDirName: ".stryker-tmp-ci",
};
