// Optional run-time validation of session data (`data.schema`): data the application passes is
// the schema's output or refused before the store is touched; data read back from the store is
// the schema's output or `store-corrupt`, never handed to the application. Never re-exported.

import { SessionError, typeError } from "../core/errors.ts";
import type { JsonObject, Session } from "../model/store.ts";
import type { DataSchema, DataSchemaIssue } from "./data_schema.ts";

// Where the first issue is, as `a.b.0` (keys of the schema's structure; never a value or the
// schema's own message, which may quote the data).
function where(issues: ReadonlyArray<DataSchemaIssue>): string {
  const path = issues[0]?.path ?? [];
  const keys = path.map((s) => String(typeof s === "object" && s !== null ? s.key : s));
  const at = keys.length === 0 ? "at the top level" : `at ${keys.join(".").slice(0, 100)}`;
  return `${issues.length} issue(s), the first ${at}`;
}

/** Checks session data against the manager's schema, when there is one. */
export class DataGuard {
  readonly #schema: DataSchema<JsonObject> | undefined;

  constructor(schema: unknown) {
    if (schema !== undefined) {
      const standard: unknown = typeof schema === "object" && schema !== null
        ? Reflect.get(schema, "~standard")
        : undefined;
      if (
        typeof standard !== "object" || standard === null ||
        Reflect.get(standard, "version") !== 1 ||
        typeof Reflect.get(standard, "validate") !== "function"
      ) {
        throw typeError("invalid-argument", "data.schema must be a Standard Schema v1 validator");
      }
    }
    this.#schema = schema as DataSchema<JsonObject> | undefined;
  }

  /** Whether a schema is configured. */
  get active(): boolean {
    return this.#schema !== undefined;
  }

  async #check(data: unknown): Promise<{ value: JsonObject } | { problem: string }> {
    const result = await this.#schema!["~standard"].validate(data);
    if (result.issues !== undefined) return { problem: where(result.issues) };
    const value: unknown = result.value;
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return { problem: "the schema's output is not an object" };
    }
    return { value: value as JsonObject };
  }

  /**
   * Data from the application: its schema output (what is stored), or a coded TypeError before
   * anything is written.
   */
  async input<D extends JsonObject | undefined>(data: D): Promise<D> {
    if (this.#schema === undefined || data === undefined) return data;
    const checked = await this.#check(data);
    if ("problem" in checked) {
      throw typeError(
        "invalid-argument",
        `Session data does not match data.schema: ${checked.problem}`,
      );
    }
    return checked.value as D;
  }

  /** A session read from the store, with its data as the schema's output, or `store-corrupt`. */
  async session<S extends Session>(session: S): Promise<S> {
    if (this.#schema === undefined) return session;
    const checked = await this.#check(session.data);
    if ("problem" in checked) {
      throw new SessionError(
        "store-corrupt",
        `Session data read from the store does not match data.schema: ${checked.problem}`,
      );
    }
    const copy = { ...session, data: checked.value };
    return Object.isFrozen(session) ? Object.freeze(copy) : copy;
  }

  /** Every session of a list, checked as by {@linkcode DataGuard.session}. */
  async sessions<S extends Session>(sessions: readonly S[]): Promise<S[]> {
    const checked: S[] = [];
    for (const session of sessions) checked.push(await this.session(session));
    return checked;
  }
}
