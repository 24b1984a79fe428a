import { defineConfig } from "tsup";

export default defineConfig({
  entry: {
    mod: "mod.ts",
    testing: "src/testing/mod.ts",
    model: "src/model/mod.ts",
    store: "src/stores/store.ts",
    cookie: "src/web/cookie.ts",
    http: "src/web/http.ts",
    redis: "src/stores/redis.ts",
    sqlite: "src/stores/sqlite.ts",
    "deno-kv": "src/stores/deno_kv.ts",
    postgres: "src/stores/postgres.ts",
    hono: "src/adapters/hono.ts",
    express: "src/adapters/express.ts",
    fastify: "src/adapters/fastify.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  clean: true,
  target: "es2022",
  platform: "neutral",
  splitting: true,
  treeshake: true,
  external: ["jose", "fast-check", "ioredis", "hono", "express", "fastify"],
});
