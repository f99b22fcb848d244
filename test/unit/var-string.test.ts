import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { MAX_FAST_BYTES, patchLib0Decoding, readVarStringFast, type ByteDecoder } from '../../src/protocol/var-string.js';

/** lib0's own reader, as the patched bundle falls back to it */
const lib0 = (d: ByteDecoder) => decoding._readVarStringNative(d as decoding.Decoder);
const fast = (d: ByteDecoder) => readVarStringFast(d, lib0);

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ALPHABET = ['a', 'Z', '0', '|', ' ', '~', '\u007f', '\u0000', 'é', 'ñ', '€', '𝄞', '人'];

function randomString(rand: () => number, maxLen: number): string {
  const len = Math.floor(rand() * maxLen);
  let s = '';
  // mostly ASCII, as keys and cell records are, with the odd multi-byte character
  for (let i = 0; i < len; i++) s += rand() < 0.9 ? String.fromCharCode(32 + Math.floor(rand() * 95)) : ALPHABET[Math.floor(rand() * ALPHABET.length)];
  return s;
}

/** Reads everything in `bytes` as var-strings with `read`; an error is returned, not thrown. */
function readAll(bytes: Uint8Array, read: (d: ByteDecoder) => string): { out: string[]; pos: number; error: string | null } {
  const d = decoding.createDecoder(bytes);
  const out: string[] = [];
  try {
    while (d.pos < bytes.length) out.push(read(d));
  } catch (err) {
    return { out, pos: d.pos, error: String(err) };
  }
  return { out, pos: d.pos, error: null };
}

describe('readVarStringFast (src/protocol/var-string.ts)', () => {
  it('reads what lib0 writes, exactly as lib0 reads it, for many lengths and characters', () => {
    const seed = 20261203;
    const rand = seeded(seed);
    const strings: string[] = ['', 'a', 'x'.repeat(MAX_FAST_BYTES), 'x'.repeat(MAX_FAST_BYTES + 1), 'é'.repeat(40), 'y'.repeat(127), 'y'.repeat(128), 'z'.repeat(5000)];
    for (let i = 0; i < 5000; i++) strings.push(randomString(rand, i % 10 === 0 ? 300 : 40));
    const enc = encoding.createEncoder();
    for (const s of strings) encoding.writeVarString(enc, s);
    const bytes = encoding.toUint8Array(enc);
    const ours = readAll(bytes, fast);
    const theirs = readAll(bytes, lib0);
    expect(ours.error, `seed ${seed}`).toBeNull();
    expect(ours.out, `seed ${seed}`).toEqual(strings);
    expect(ours).toEqual(theirs);
  });

  it('fails where lib0 fails, at the same place, and moves nothing on the string it refuses', () => {
    const enc = encoding.createEncoder();
    encoding.writeVarString(enc, 'ok');
    encoding.writeVarString(enc, 'cut short here');
    const whole = encoding.toUint8Array(enc);
    const cases: [string, Uint8Array][] = [
      ['a length past the end', whole.slice(0, whole.length - 3)],
      ['invalid UTF-8 (a lone continuation byte)', Uint8Array.from([2, 0x61, 0x62, 2, 0x80, 0x61])],
      ['invalid UTF-8 (an overlong form)', Uint8Array.from([2, 0xc0, 0xaf])],
      ['a truncated varuint length', Uint8Array.from([1, 0x61, 0xff])],
    ];
    for (const [what, bytes] of cases) {
      const ours = readAll(bytes, fast);
      const theirs = readAll(bytes, lib0);
      expect(theirs.error, what).not.toBeNull();
      expect(ours, what).toEqual(theirs);
    }
  });

  it('gives Yjs the same doc: an update read through it applies to the same content', () => {
    const doc = new Y.Doc();
    const rows = doc.getMap<Y.Map<string>>('rows');
    for (let r = 0; r < 200; r++) {
      const row = new Y.Map<string>();
      rows.set(`r${r}`, row);
      row.set('c1', `1|kx${r.toString(36)}|sitem ${r}`);
      row.set('c2', r % 7 === 0 ? `1|kx|sÑandú 🌽 ${r}` : `1|kx|n${r}`);
    }
    const update = Y.encodeStateAsUpdate(doc);
    // Yjs's keys and strings read through the fast reader (in Node, lib0 itself is not patched).
    const viaFast = new Y.Doc();
    const decoder = new Y.UpdateDecoderV1(decoding.createDecoder(update));
    let fastReads = 0;
    decoder.readString = () => {
      fastReads++;
      return fast(decoder.restDecoder);
    };
    decoder.readKey = decoder.readString;
    Y.readUpdateV2(decoder.restDecoder, viaFast, null, decoder);
    expect(fastReads).toBeGreaterThan(0);
    expect(viaFast.getMap('rows').toJSON()).toEqual(doc.getMap('rows').toJSON());
  });
});

describe('patchLib0Decoding', () => {
  const installed = readFileSync(join(dirname(createRequire(import.meta.url).resolve('lib0/package.json')), 'decoding.js'), 'utf8');

  it('patches the installed lib0/decoding.js so its native reader goes through ours first', () => {
    const patched = patchLib0Decoding(installed, '/abs/src/protocol/var-string.ts');
    expect(patched).toContain('import { readVarStringFast as msReadVarStringFast } from "/abs/src/protocol/var-string.ts"');
    expect(patched).toMatch(/export const _readVarStringNative = decoder => msReadVarStringFast\(decoder, msReadVarStringLib0\)/);
    // only that definition changed: readVarString and readAny still refer to the same binding
    expect(patched).toContain('export const readVarString = string.utf8TextDecoder ? _readVarStringNative : _readVarStringPolyfill');
    expect(patched.split('\n').length).toBe(installed.split('\n').length + 1);
  });

  it('refuses, loudly, a lib0 whose reader is not the one it knows', () => {
    expect(() => patchLib0Decoding(installed.replace('_readVarStringNative = decoder', '_readVarStringNative = (decoder)'), 'x')).toThrow(/has changed/);
  });
});
