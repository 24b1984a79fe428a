/**
 * What a store author needs, in one place: the store contract (the {@linkcode SessionStore}
 * interface, its options and results), the model's argument checks ({@linkcode checkArguments}),
 * the device-binding rule ({@linkcode bindingMismatch}) and the credential helpers (format,
 * parse, generate, hash at rest, compare in constant time). Applications import the root module;
 * a store is verified with `@sessionkit/sessionkit/testing`.
 *
 * @example
 * ```ts
 * import { ManualClock, MemoryStore } from "@sessionkit/sessionkit";
 * import {
 *   checkArguments,
 *   hashSecret,
 *   type SessionStore,
 *   tryParseCredential,
 * } from "@sessionkit/sessionkit/store";
 * const store: SessionStore = new MemoryStore({ clock: new ManualClock(0) });
 * const login = await store.create({ userId: "ada", idleTtlMs: 1_000, absoluteTtlMs: 5_000 });
 * if (login.status !== "created") throw new Error("Login failed");
 * checkArguments({ op: "validate", credential: login.credential });
 * const parsed = tryParseCredential(login.credential);
 * if (parsed === null || parsed.sessionId !== login.session.id) throw new Error("Bad credential");
 * if (hashSecret(parsed.secret).length === 0) throw new Error("No hash");
 * ```
 *
 * @module
 */

export type {
  AttachOptions,
  AttachResult,
  BindFacts,
  BindingMismatchResult,
  CreateOptions,
  CreateResult,
  DestroyAllOptions,
  DeviceInfo,
  JsonObject,
  JsonValue,
  LimitPolicy,
  ReusedResult,
  RotateOptions,
  RotateResult,
  Session,
  SessionKind,
  SessionStore,
  TokenCutoff,
  TokenIdentity,
  TokenRevocation,
  UpdateOptions,
  UpdateResult,
  ValidateOptions,
  ValidateResult,
} from "../model/store.ts";
export { DEFAULT_MAX_DATA_BYTES, RETIRED_SECRETS_KEPT } from "../model/store.ts";
export { checkArguments } from "../model/check_arguments.ts";
export { bindingMismatch } from "../model/binding_mismatch.ts";
export {
  constantTimeEqual,
  formatCredential,
  generateSecret,
  generateSessionId,
  hashSecret,
  isSessionId,
  MAX_CREDENTIAL_LENGTH,
  MAX_SESSION_ID_LENGTH,
  parseCredential,
  type ParsedCredential,
  SECRET_LENGTH,
  tryParseCredential,
} from "../core/credential.ts";
export type { Clock } from "../core/clock.ts";
export { type RandomSource, webCryptoRandom } from "../core/random.ts";
