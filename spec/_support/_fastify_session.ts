// The test suite's one declaration of `request.session` for Fastify (a module augmentation is
// program-wide): typed from a manager through SessionOf, as the README shows applications.
import type { SessionManager } from "../../src/manager/manager.ts";
import type { SessionOf } from "../../src/adapters/fastify.ts";

/** The session data every Fastify spec uses. */
export type FastifyData = { n?: number; cart?: number[]; theme?: "light" | "dark" };

declare const manager: SessionManager<FastifyData>;

declare module "fastify" {
  interface FastifyRequest {
    session: SessionOf<typeof manager>;
  }
}
