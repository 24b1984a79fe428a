// A small synchronous SHA-256 (FIPS 180-4). Private: used by credential.ts to hash secrets at rest
// without the async hop of Web Crypto (see bench/hash.bench.ts for the figures), with a fast path
// for short ASCII strings (a 43-character secret is one block: no encoding, no allocation but the
// digest).

const K = new Uint32Array([
  0x428a2f98,
  0x71374491,
  0xb5c0fbcf,
  0xe9b5dba5,
  0x3956c25b,
  0x59f111f1,
  0x923f82a4,
  0xab1c5ed5,
  0xd807aa98,
  0x12835b01,
  0x243185be,
  0x550c7dc3,
  0x72be5d74,
  0x80deb1fe,
  0x9bdc06a7,
  0xc19bf174,
  0xe49b69c1,
  0xefbe4786,
  0x0fc19dc6,
  0x240ca1cc,
  0x2de92c6f,
  0x4a7484aa,
  0x5cb0a9dc,
  0x76f988da,
  0x983e5152,
  0xa831c66d,
  0xb00327c8,
  0xbf597fc7,
  0xc6e00bf3,
  0xd5a79147,
  0x06ca6351,
  0x14292967,
  0x27b70a85,
  0x2e1b2138,
  0x4d2c6dfc,
  0x53380d13,
  0x650a7354,
  0x766a0abb,
  0x81c2c92e,
  0x92722c85,
  0xa2bfe8a1,
  0xa81a664b,
  0xc24b8b70,
  0xc76c51a3,
  0xd192e819,
  0xd6990624,
  0xf40e3585,
  0x106aa070,
  0x19a4c116,
  0x1e376c08,
  0x2748774c,
  0x34b0bcb5,
  0x391c0cb3,
  0x4ed8aa4a,
  0x5b9cca4f,
  0x682e6ff3,
  0x748f82ee,
  0x78a5636f,
  0x84c87814,
  0x8cc70208,
  0x90befffa,
  0xa4506ceb,
  0xbef9a3f7,
  0xc67178f2,
]);
const INITIAL = new Int32Array([
  0x6a09e667,
  0xbb67ae85,
  0x3c6ef372,
  0xa54ff53a,
  0x510e527f,
  0x9b05688c,
  0x1f83d9ab,
  0x5be0cd19,
]);

/** The message schedule: W[0..15] is filled by the caller, one 64-byte block at a time. */
const W = new Uint32Array(64);

/** Runs the compression function over the block in W[0..15], updating `h` in place. */
function compress(h: Int32Array): void {
  for (let i = 16; i < 64; i++) {
    const a = W[i - 15]!, b = W[i - 2]!;
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = h[0]!, b = h[1]!, c = h[2]!, d = h[3]!, e = h[4]!, f = h[5]!, g = h[6]!, k = h[7]!;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const ch = (e & f) ^ (~e & g);
    const t1 = (k + S1 + ch + K[i]! + W[i]!) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const maj = (a & b) ^ (a & c) ^ (b & c);
    k = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + ((S0 + maj) | 0)) | 0;
  }
  h[0] = (h[0]! + a) | 0;
  h[1] = (h[1]! + b) | 0;
  h[2] = (h[2]! + c) | 0;
  h[3] = (h[3]! + d) | 0;
  h[4] = (h[4]! + e) | 0;
  h[5] = (h[5]! + f) | 0;
  h[6] = (h[6]! + g) | 0;
  h[7] = (h[7]! + k) | 0;
}

function digest(h: Int32Array): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const word = h[i]!;
    out[i * 4] = word >>> 24;
    out[i * 4 + 1] = (word >>> 16) & 0xff;
    out[i * 4 + 2] = (word >>> 8) & 0xff;
    out[i * 4 + 3] = word & 0xff;
  }
  return out;
}

/** Returns the SHA-256 digest of `message` (32 bytes). */
export function sha256(message: Uint8Array): Uint8Array {
  const bitLength = message.length * 8;
  const padded = new Uint8Array(((message.length + 8) >> 6) * 64 + 64);
  padded.set(message);
  padded[message.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(bitLength / 0x100000000));
  view.setUint32(padded.length - 4, bitLength >>> 0);
  const h = new Int32Array(INITIAL);
  for (let offset = 0; offset < padded.length; offset += 64) {
    for (let i = 0; i < 16; i++) W[i] = view.getUint32(offset + i * 4);
    compress(h);
  }
  return digest(h);
}

/** Loads a string of at most 55 ASCII characters as one padded block into W; false otherwise. */
function loadShortAscii(text: string): boolean {
  const length = text.length;
  if (length > 55) return false;
  W.fill(0, 0, 16);
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7f) return false;
    W[i >> 2] = W[i >> 2]! | (c << (24 - 8 * (i & 3)));
  }
  W[length >> 2] = W[length >> 2]! | (0x80 << (24 - 8 * (length & 3)));
  W[15] = length * 8;
  return true;
}

/**
 * SHA-256 of a string of at most 55 ASCII characters (one block), or `null` for any other string
 * (the caller then encodes it and uses {@linkcode sha256}).
 */
export function sha256ShortAscii(text: string): Uint8Array | null {
  if (!loadShortAscii(text)) return null;
  const h = new Int32Array(INITIAL);
  compress(h);
  return digest(h);
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
/** The state of {@linkcode sha256ShortAsciiBase64url}, reused: no allocation per hash. */
const STATE = new Int32Array(8);

const byteAt = (h: Int32Array, j: number): number => (h[j >> 2]! >>> (24 - 8 * (j & 3))) & 0xff;

/**
 * {@linkcode sha256ShortAscii} as unpadded base64url (43 characters), or `null`: the digest is
 * encoded straight from the state words, so nothing is allocated but the result (secrets are
 * hashed on every validation; measured ~20 % under the byte-array path and no slower than Node's
 * `createHash`, in every runtime).
 */
export function sha256ShortAsciiBase64url(text: string): string | null {
  if (!loadShortAscii(text)) return null;
  const h = STATE;
  h.set(INITIAL);
  compress(h);
  // 32 bytes: 10 groups of 3, then 2 bytes (3 characters, no padding).
  let out = "";
  for (let j = 0; j < 30; j += 3) {
    const n = (byteAt(h, j) << 16) | (byteAt(h, j + 1) << 8) | byteAt(h, j + 2);
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  const n = (byteAt(h, 30) << 16) | (byteAt(h, 31) << 8);
  return out + B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]!;
}
