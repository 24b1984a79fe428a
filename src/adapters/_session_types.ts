// Private: the types that carry a manager's session data type into the request objects of the
// adapters over Node's request model (Express' `req.session`, Fastify's `request.session`).

import type { SessionManager } from "../manager/manager.ts";
import type { JsonObject, Session } from "../model/store.ts";

/**
 * The type of `req.session` / `request.session` for a manager: declare it once and every handler
 * and helper sees the manager's `Data` — for Fastify,
 * `declare module "fastify" { interface FastifyRequest { session: SessionOf<typeof manager> } }`.
 */
export type SessionOf<M> = M extends SessionManager<infer Data> ? Session<Data> | null : never;

/**
 * The session data type of a request: the `Data` of its declared `session`, or `JsonObject` when
 * the request type declares none.
 */
export type RequestDataOf<R> = R extends
  { readonly session?: Session<infer Data extends JsonObject> | null | undefined } ? Data
  : JsonObject;
