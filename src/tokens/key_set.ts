/**
 * Key sets for access-token key rotation: one signing key and the keys still accepted for
 * verification, selected by `kid`. Immutable: rotating or retiring a key builds a new set.
 *
 * @module
 */

import { typeError } from "../core/errors.ts";
import { AccessTokenKey } from "./keys.ts";

/** Options of the {@linkcode AccessTokenKeySet} constructor. */
export interface AccessTokenKeySetOptions {
  /**
   * Keys still accepted for verification besides the signing key (for instance the previous
   * signing key until its last token expires). @default []
   */
  readonly verificationKeys?: readonly AccessTokenKey[];
}

/**
 * An immutable set of access-token keys: one signing key and the keys accepted for verification,
 * selected by `kid`. Rotate by building a new set with {@linkcode AccessTokenKeySet.rotate}; retire
 * a key with {@linkcode AccessTokenKeySet.without}.
 *
 * @example
 * ```ts
 * import { AccessTokenKey, AccessTokenKeySet } from "@sessionkit/sessionkit";
 * const old = await AccessTokenKey.generate("k1");
 * const next = await AccessTokenKey.generate("k2");
 * const keys = new AccessTokenKeySet(old).rotate(next);
 * if (keys.signingKey.kid !== "k2" || keys.get("k1") !== old) throw new Error("Bad rotation");
 * ```
 */
export class AccessTokenKeySet {
  /** The key that signs new tokens; it also verifies. */
  readonly signingKey: AccessTokenKey;
  readonly #byKid: ReadonlyMap<string, AccessTokenKey>;

  /**
   * Creates a key set.
   *
   * @param signingKey The key that signs new tokens (it must have a private part).
   * @param options The other keys accepted for verification.
   * @throws {TypeError} `invalid-argument` when a key is not an {@linkcode AccessTokenKey}, the
   * signing key cannot sign, or two different keys share a `kid`.
   */
  constructor(signingKey: AccessTokenKey, options: AccessTokenKeySetOptions = {}) {
    if (!(signingKey instanceof AccessTokenKey)) {
      throw typeError("invalid-argument", "signingKey must be an AccessTokenKey");
    }
    if (!signingKey.canSign) {
      throw typeError("invalid-argument", `Key ${signingKey.kid} cannot sign`);
    }
    const byKid = new Map<string, AccessTokenKey>([[signingKey.kid, signingKey]]);
    for (const key of options.verificationKeys ?? []) {
      if (!(key instanceof AccessTokenKey)) {
        throw typeError("invalid-argument", "verificationKeys must hold AccessTokenKeys");
      }
      const known = byKid.get(key.kid);
      if (known !== undefined && known !== key) {
        throw typeError("invalid-argument", `Two different keys share the kid ${key.kid}`);
      }
      byKid.set(key.kid, key);
    }
    this.signingKey = signingKey;
    this.#byKid = byKid;
    Object.freeze(this);
  }

  /**
   * The key with this `kid`, or `undefined`.
   *
   * @example
   * ```ts
   * import { AccessTokenKey, AccessTokenKeySet } from "@sessionkit/sessionkit";
   * const keys = new AccessTokenKeySet(await AccessTokenKey.generate("k1"));
   * if (keys.get("k1") === undefined || keys.get("nope") !== undefined) throw new Error("Bad get");
   * ```
   *
   * @param kid A key id, typically from a token's header.
   * @returns The key, or `undefined` when no key of the set has this id.
   */
  get(kid: string): AccessTokenKey | undefined {
    return this.#byKid.get(kid);
  }

  /** Every key id of the set, signing key first. */
  get kids(): string[] {
    return [...this.#byKid.keys()];
  }

  /**
   * A new set that signs with `key` and still verifies with every key of this one.
   *
   * @example
   * ```ts
   * import { AccessTokenKey, AccessTokenKeySet } from "@sessionkit/sessionkit";
   * const keys = new AccessTokenKeySet(await AccessTokenKey.generate("k1"));
   * const rotated = keys.rotate(await AccessTokenKey.generate("k2"));
   * if (rotated.kids.join() !== "k2,k1") throw new Error("Bad rotation");
   * ```
   *
   * @param key The new signing key.
   * @returns The new set; this one is unchanged.
   * @throws {TypeError} `invalid-argument` when `key` cannot sign or reuses the `kid` of another key.
   */
  rotate(key: AccessTokenKey): AccessTokenKeySet {
    return new AccessTokenKeySet(key, { verificationKeys: [...this.#byKid.values()] });
  }

  /**
   * A new set without the key `kid`: tokens it signed no longer verify.
   *
   * @example
   * ```ts
   * import { AccessTokenKey, AccessTokenKeySet } from "@sessionkit/sessionkit";
   * const keys = new AccessTokenKeySet(await AccessTokenKey.generate("k1"))
   *   .rotate(await AccessTokenKey.generate("k2"));
   * if (keys.without("k1").get("k1") !== undefined) throw new Error("k1 still there");
   * ```
   *
   * @param kid The id of the key to retire.
   * @returns The new set; this one is unchanged.
   * @throws {TypeError} `invalid-argument` when `kid` is the signing key's (rotate first).
   */
  without(kid: string): AccessTokenKeySet {
    if (kid === this.signingKey.kid) {
      throw typeError("invalid-argument", "The signing key cannot be removed; rotate first");
    }
    const rest = [...this.#byKid.values()].filter((key) => key.kid !== kid);
    return new AccessTokenKeySet(this.signingKey, { verificationKeys: rest });
  }
}
