// Script arguments are named once (src/stores/_redis_args.ts): the builder's field order is the
// ARGV order the Lua reads, and no script reads ARGV other than through its generated line.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { flag, int, optionalInt, scriptArgs, text } from "../../src/stores/_redis_args.ts";
import { SCRIPTS } from "../../src/stores/_redis_scripts.ts";
import * as session from "../../src/stores/_redis_scripts.ts";
import * as validation from "../../src/stores/_redis_validate_scripts.ts";
import * as create from "../../src/stores/_redis_create_script.ts";
import * as token from "../../src/stores/_redis_token_scripts.ts";

const ARGS: Record<string, { names: readonly string[]; lua: string }> = {
  validate: validation.VALIDATE_ARGS,
  slide: validation.SLIDE_ARGS,
  rotate: session.ROTATE_ARGS,
  claim: session.CLAIM_ARGS,
  commit: session.COMMIT_ARGS,
  read: session.READ_ARGS,
  index: session.INDEX_ARGS,
  create: create.CREATE_ARGS,
  revokeToken: token.REVOKE_TOKEN_ARGS,
  cutoff: token.CUTOFF_ARGS,
  tokenCheck: token.TOKEN_CHECK_ARGS,
  sweepRevocations: token.SWEEP_REVOCATIONS_ARGS,
  sweepMapping: token.SWEEP_MAPPING_ARGS,
};

describe("RedisStore script arguments", () => {
  it("builds ARGV in field order, each value encoded by its field's type", () => {
    const args = scriptArgs<{ a: number; b: string; c: boolean; d: number | undefined }>({
      a: int,
      b: text,
      c: flag,
      d: optionalInt,
    });
    assert.deepEqual(args.names, ["a", "b", "c", "d"]);
    assert.equal(args.lua, "local a, b, c, d = ARGV[1], ARGV[2], ARGV[3], ARGV[4]");
    assert.deepEqual(args.build({ d: undefined, c: true, b: "x", a: 7 }), ["7", "x", "1", ""]);
    assert.deepEqual(args.build({ a: 0, b: "", c: false, d: 3 }), ["0", "", "0", "3"]);
  });

  it("every script that takes arguments reads them through its generated line only", () => {
    for (const [name, code] of Object.entries(SCRIPTS)) {
      const args = ARGS[name];
      const reads = code.match(/ARGV\[\d+\]/g) ?? [];
      if (args === undefined) {
        assert.deepEqual(reads, [], `${name} reads ARGV without named arguments`);
        continue;
      }
      const line = code.startsWith(`${args.lua}\n`) || code.includes(`\n${args.lua}\n`);
      assert.ok(line, `${name} lacks its argument line`);
      assert.equal(reads.length, args.names.length, `${name} reads ARGV outside its line`);
    }
    for (const name of Object.keys(ARGS)) assert.ok(name in SCRIPTS, name);
  });
});
