/**
 * The shape of a Standard Schema v1 validator (zod, valibot, arktype and others implement it),
 * written out structurally so that sessionkit depends on none of them: a schema given as
 * `new SessionManager({ store, data: { schema } })` types the session data with its output and
 * checks it at run time.
 *
 * @module
 */

/** A validation problem a schema reports. */
export interface DataSchemaIssue {
  /** The schema's message (sessionkit never copies it into its own errors: it may quote data). */
  readonly message: string;
  /** Where in the data: keys, or segments carrying a key. */
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** The outcome of a validation: the output value, or the issues. */
export type DataSchemaResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<DataSchemaIssue> };

/**
 * A Standard Schema v1 validator whose output is `Output`: anything with a `~standard` property
 * of version 1 whose `validate` answers synchronously or with a promise.
 *
 * @example
 * ```ts
 * import type { DataSchema } from "@sessionkit/sessionkit";
 * const cart: DataSchema<{ cart: number[] }> = {
 *   "~standard": {
 *     version: 1,
 *     vendor: "handwritten",
 *     validate: (value) =>
 *       typeof value === "object" && value !== null && Array.isArray(Reflect.get(value, "cart"))
 *         ? { value: value as { cart: number[] } }
 *         : { issues: [{ message: "Expected a cart", path: ["cart"] }] },
 *   },
 * };
 * const result = await cart["~standard"].validate({ cart: "none" });
 * if (result.issues === undefined) throw new Error("Accepted a bad cart");
 * ```
 */
export interface DataSchema<Output> {
  /** The Standard Schema v1 properties. */
  readonly "~standard": {
    /** The Standard Schema version: 1. */
    readonly version: 1;
    /** The library that made the schema. */
    readonly vendor: string;
    /** Validates a value: the output value, or issues. */
    readonly validate: (
      value: unknown,
    ) => DataSchemaResult<Output> | Promise<DataSchemaResult<Output>>;
    /** Types only (never read at run time): the schema's input and output. */
    readonly types?: { readonly input: unknown; readonly output: Output } | undefined;
  };
}
