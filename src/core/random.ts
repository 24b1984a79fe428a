/**
 * Injectable randomness. This file is the only place in `src/` that reads the system's
 * cryptographic random number generator.
 *
 * @module
 */

/**
 * A source of cryptographically secure random bytes.
 *
 * @example
 * ```ts
 * import { webCryptoRandom } from "@sessionkit/sessionkit";
 * const bytes = webCryptoRandom.fill(new Uint8Array(32));
 * if (bytes.length !== 32) throw new Error("Expected 32 bytes");
 * ```
 */
export interface RandomSource {
  /**
   * Fills `bytes` with random values and returns it.
   *
   * @param bytes The buffer to fill (at most 65536 bytes).
   * @returns The same buffer, filled.
   */
  fill(bytes: Uint8Array): Uint8Array;
}

/**
 * The default random source: Web Crypto's `crypto.getRandomValues`.
 *
 * @example
 * ```ts
 * import { webCryptoRandom } from "@sessionkit/sessionkit";
 * const a = webCryptoRandom.fill(new Uint8Array(16));
 * const b = webCryptoRandom.fill(new Uint8Array(16));
 * if (a.every((x, i) => x === b[i])) throw new Error("Not random");
 * ```
 */
export const webCryptoRandom: RandomSource = Object.freeze({
  fill: (bytes: Uint8Array): Uint8Array => crypto.getRandomValues(bytes),
});

/**
 * A deterministic, NOT secure random source for tests and replays (xorshift32 from a seed).
 *
 * @example
 * ```ts
 * import { seededRandom } from "@sessionkit/sessionkit";
 * const a = seededRandom(7).fill(new Uint8Array(8));
 * const b = seededRandom(7).fill(new Uint8Array(8));
 * if (a.some((x, i) => x !== b[i])) throw new Error("Not deterministic");
 * ```
 *
 * @param seed Any 32-bit integer; 0 is replaced by a fixed non-zero constant.
 * @returns A random source that yields the same bytes for the same seed.
 */
export function seededRandom(seed: number): RandomSource {
  let state = (seed | 0) || 0x9e3779b9;
  return {
    fill(bytes: Uint8Array): Uint8Array {
      for (let i = 0; i < bytes.length; i++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        bytes[i] = state & 0xff;
      }
      return bytes;
    },
  };
}
