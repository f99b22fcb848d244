/**
 * Reading lib0's var-strings (a varuint byte length, then UTF-8) fast in the browser (issue 18).
 *
 * Opening a workbook is mostly Yjs reading strings: every map key (a column id), every cell
 * record and every id is one. lib0 reads each with `TextDecoder.decode` on a fresh subarray, and
 * in Chromium that costs about 0.5 µs a call plus a view object to collect: 2.6 s of a 100k × 10
 * returning open was that one function, and most of the garbage collector's 1.8 s. Short ASCII
 * strings read by hand into `String.fromCharCode` take a tenth of that (docs/architecture.md,
 * "Opening a workbook"). The bundle's copy of lib0/decoding.js is patched at build time to read
 * through here (`patchLib0Decoding`, used by vite.config.ts; the hub's by server/lib0-hooks.ts);
 * anything else — a long string, a byte ≥ 0x80, a length that runs past the end — goes to lib0's
 * own reader untouched, so what is read, and every error on malformed bytes, is exactly lib0's.
 */

export interface ByteDecoder {
  arr: Uint8Array;
  pos: number;
}

/** Longer strings go to TextDecoder, which is fast once a call has enough bytes to be worth it. */
export const MAX_FAST_BYTES = 64;

/**
 * `String.fromCharCode.apply` wants an array exactly as long as the string, and allocating one per
 * call would bring the garbage back: one reusable array per length. Safe to share: a call fills
 * the one it uses and reads it before it returns, and nothing else runs in between.
 */
const scratch: number[][] = Array.from({ length: MAX_FAST_BYTES + 1 }, (_, n) => new Array<number>(n).fill(0));

/** Reads one var-string as lib0's `readVarString` does, or leaves `decoder` as it was and asks `slow` to. */
export function readVarStringFast(decoder: ByteDecoder, slow: (d: ByteDecoder) => string): string {
  const arr = decoder.arr;
  const len = arr[decoder.pos];
  // A length of 128 or more takes more than one varuint byte: MAX_FAST_BYTES < 128 rules those out too.
  if (len === undefined || len > MAX_FAST_BYTES) return slow(decoder);
  const from = decoder.pos + 1;
  if (from + len > arr.length) return slow(decoder);
  const codes = scratch[len];
  for (let i = 0; i < len; i++) {
    const c = arr[from + i];
    if (c > 0x7f) return slow(decoder);
    codes[i] = c;
  }
  decoder.pos = from + len;
  return String.fromCharCode.apply(null, codes);
}

/** lib0's own definition, as published (0.2.x): the build fails if it is not found, rather than ship unpatched. */
const NATIVE_READER = /export const _readVarStringNative = decoder =>\s*\/\*\* @type any \*\/ \(string\.utf8TextDecoder\)\.decode\(readVarUint8Array\(decoder\)\)/;

/**
 * lib0/decoding.js with its native var-string reader going through `readVarStringFast` (imported
 * from `fastModule`) first. Every reader inside lib0 that reads strings (`readVarString`,
 * `readAny`'s strings and object keys) refers to that one binding, so all of them get it.
 */
export function patchLib0Decoding(code: string, fastModule: string): string {
  if (!NATIVE_READER.test(code)) throw new Error('lib0/decoding.js has changed: its _readVarStringNative was not found to patch (src/protocol/var-string.ts)');
  return code.replace(
    NATIVE_READER,
    [
      `import { readVarStringFast as msReadVarStringFast } from ${JSON.stringify(fastModule)}`,
      'const msReadVarStringLib0 = decoder => string.utf8TextDecoder.decode(readVarUint8Array(decoder))',
      'export const _readVarStringNative = decoder => msReadVarStringFast(decoder, msReadVarStringLib0)',
    ].join('\n'),
  );
}
