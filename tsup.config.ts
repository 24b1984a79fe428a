import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    mod: "mod.ts",
    testing: "src/testing/mod.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "es2022",
  platform: "neutral",
  splitting: true,
  treeshake: true,
  external: ["jose", "fast-check"],
});
