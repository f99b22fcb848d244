const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** 12 base-62 characters ≈ 71 bits: collisions between offline peers are not a practical concern. */
export function randomId(length = 12): string {
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  let out = '';
  // 248 = 62 * 4: rejecting the top bytes keeps the alphabet uniform.
  for (let i = 0; i < length; i++) {
    let b = bytes[i];
    while (b >= 248) b = globalThis.crypto.getRandomValues(new Uint8Array(1))[0];
    out += ALPHABET[b % 62];
  }
  return out;
}

export function isValidId(id: unknown): id is string {
  return typeof id === 'string' && ID_PATTERN.test(id);
}
