// `after` and `before` under both runners: node:test (Deno) calls it `after`; vitest, which the suite's
// `node:test` imports are aliased to, calls them `afterAll` and `beforeAll`.
import * as runner from "node:test";

type Hook = (fn: () => unknown) => void;
const hooks = runner as unknown as {
  after?: Hook;
  afterAll?: Hook;
  before?: Hook;
  beforeAll?: Hook;
};

/** Runs `fn` once after the tests of the enclosing describe. */
export const after: Hook = hooks.after ?? hooks.afterAll!;

/** Runs `fn` once before the tests of the enclosing describe. */
export const before: Hook = hooks.before ?? hooks.beforeAll!;
