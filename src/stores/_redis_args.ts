// Private: script arguments, named once. Each script's arguments are an ordered list of named,
// typed fields (`scriptArgs`): the same list gives the client's builder (an object with those
// names → the ARGV array, each value encoded by its field's type) and the Lua lines that read them
// (`local name = ARGV[i]`, prepended to the script's body), so a name and its position are defined
// in one place. Numbers are sent as decimal integer text, flags as '1'/'0', absent values as ''.

/** How one field's value becomes its ARGV text. */
export type Encoder<T> = (value: T) => string;

/** An integer, as decimal text (integers print as Lua's '%.0f' does). */
export const int: Encoder<number> = (n) => String(n);
/** Any number, as JavaScript prints it (a fraction such as a threshold). */
export const number: Encoder<number> = (n) => String(n);
/** Text sent as it is. */
export const text: Encoder<string> = (s) => s;
/** A yes/no flag: '1' or '0'. */
export const flag: Encoder<boolean> = (b) => (b ? "1" : "0");
/** An integer or nothing (''). */
export const optionalInt: Encoder<number | undefined> = (n) => (n === undefined ? "" : String(n));

/** The fields of a script's arguments for values `V`: one encoder per name, in ARGV order. */
export type Fields<V> = { readonly [K in keyof V]-?: Encoder<V[K]> };

/** A script's arguments: their names in ARGV order, the builder, and the Lua lines reading them. */
export interface ScriptArgs<V> {
  readonly names: readonly (keyof V & string)[];
  /** The ARGV array of these values. */
  build(values: V): string[];
  /** `local a, b = ARGV[1], ARGV[2]` (empty for no arguments): the first line of the script. */
  readonly lua: string;
}

const LUA_NAME = /^[a-z][A-Za-z0-9]*$/;

/**
 * The arguments of one script, whose values have the type `V`: `fields` in ARGV order (an object
 * literal keeps its key order). The compiler checks that `fields` names every value, no more.
 */
export function scriptArgs<V>(fields: Fields<V>): ScriptArgs<V> {
  const names = Object.keys(fields) as (keyof V & string)[];
  for (const name of names) {
    if (!LUA_NAME.test(name)) throw new Error(`Not a Lua argument name: ${name}`);
  }
  const encoders = names.map((name) => fields[name] as Encoder<V[keyof V]>);
  const lua = names.length === 0
    ? ""
    : `local ${names.join(", ")} = ${names.map((_, i) => `ARGV[${i + 1}]`).join(", ")}`;
  return {
    names,
    build(values: V): string[] {
      const out = new Array<string>(names.length);
      for (let i = 0; i < names.length; i++) out[i] = encoders[i]!(values[names[i]!]);
      return out;
    },
    lua,
  };
}
