import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { deflateSync } from 'fflate';
import { constants, deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { concatBytes } from '../../src/protocol/access.js';
import { MAX_BODY_BYTES, MIN_BLOB_BYTES, encodeBody, inflateNative, openBlob, openBlobAsync, openPresence, sealBlob, sealPresence } from '../../src/protocol/blob.js';
import { BLOB_CHANGES, BLOB_FULL, DOC_JOURNAL, DOC_WORKBOOK, type BlobBody, type BlobMeta, type DocTag, type SealedKeys } from '../../src/protocol/sealed.js';
import { newSealedWorkbookKeys, sealedKeysFor } from '../../src/protocol/sealed-keys.js';
import { prng } from '../support/prng.js';

function workbook() {
  const keys = newSealedWorkbookKeys();
  return { id: keys.id, edit: sealedKeysFor(keys.id, keys.edit)!, view: sealedKeysFor(keys.id, keys.view)! };
}

const A = workbook();
const B = workbook();
const META: BlobMeta = { kind: BLOB_CHANGES, doc: DOC_WORKBOOK, epoch: 1 };
const body = (update: Uint8Array = new Uint8Array([1, 2, 3, 4, 5]), extra: Partial<BlobBody> = {}): BlobBody => ({
  deviceId: 'device-Ana',
  stream: 'stream-1',
  seq: 1,
  changes: 5,
  covers: [],
  update,
  ...extra,
});

const utf8 = (t: string) => new TextEncoder().encode(t);
const u32be = (n: number) => new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);

/**
 * A blob written from the documented format, not through sealBlob: the plaintext `compressed`
 * (what the AEAD carries) is whatever the test wants, signed with `keys.sign`.
 */
function craft(keys: SealedKeys, compressed: Uint8Array, hdr = new Uint8Array([1, BLOB_CHANGES, DOC_WORKBOOK, 0]), epoch = 1): Uint8Array {
  const nonce = globalThis.crypto.getRandomValues(new Uint8Array(24));
  const ad = concatBytes(utf8('mutual-sheets/e1 blob\0'), utf8(keys.id), new Uint8Array([0, hdr[2]]), u32be(epoch), hdr);
  const ciphertext = xchacha20poly1305(keys.contentKey, nonce, ad).encrypt(compressed);
  const signature = keys.sign!(concatBytes(utf8('mutual-sheets/e1 sig\0'), ad, nonce, ciphertext));
  return concatBytes(hdr, nonce, ciphertext, signature);
}

const failure = (keys: SealedKeys, blob: Uint8Array, doc: DocTag = DOC_WORKBOOK) => {
  const opened = openBlob(keys, blob, doc);
  return opened.ok ? 'ok' : opened.failure;
};

describe('sealed blobs', () => {
  it('round trip: both kinds and docs, opened by the edit and the view link; the format is the documented one', () => {
    const cases: [BlobMeta, BlobBody][] = [
      [META, body()],
      [{ kind: BLOB_FULL, doc: DOC_WORKBOOK, epoch: 1 }, body(new Uint8Array(10_000).fill(7), { covers: [['stream-1', 41], ['ström-2 ✓', 2 ** 40]], seq: 9, changes: 123_456 })],
      [{ kind: BLOB_CHANGES, doc: DOC_JOURNAL, epoch: 1 }, body(new Uint8Array(0), { deviceId: '', stream: '', seq: 0, changes: 0 })],
    ];
    for (const [meta, b] of cases) {
      const blob = sealBlob(A.edit, meta, b);
      expect(blob.slice(0, 4)).toEqual(new Uint8Array([1, meta.kind, meta.doc, 0]));
      for (const keys of [A.edit, A.view]) expect(openBlob(keys, blob, meta.doc)).toEqual({ ok: true, meta, body: b });
      // two seals of the same body differ (random nonce)
      expect(sealBlob(A.edit, meta, b)).not.toEqual(blob);
    }
    // a blob crafted from the documented format opens
    expect(openBlob(A.view, craft(A.edit, deflateSync(encodeBody(body()))), DOC_WORKBOOK)).toEqual({ ok: true, meta: META, body: body() });
    // the plaintext is nowhere in the blob
    const canary = utf8('CANARY-Shelter-Gym-40-beds');
    const sealed = sealBlob(A.edit, META, body(canary, { deviceId: 'CANARY-device' }));
    expect(Buffer.from(sealed).includes(Buffer.from(canary))).toBe(false);
    expect(Buffer.from(sealed).includes(Buffer.from('CANARY'))).toBe(false);
  });

  it('every single byte flipped (three ways), truncated or extended: never opens, with the expected failure', () => {
    const blob = sealBlob(A.edit, META, body(new Uint8Array([9, 8, 7])));
    const headerOk = (h: Uint8Array) => h[0] === 1 && (h[1] === 1 || h[1] === 2) && h[2] === DOC_WORKBOOK && h[3] === 0;
    let checked = 0;
    for (let i = 0; i < blob.length; i++) {
      for (const mask of [0x01, 0x03, 0x80]) {
        const bad = blob.slice();
        bad[i] ^= mask;
        const expected = i < 4 && !headerOk(bad) ? 'malformed' : 'signature';
        expect({ i, mask, failure: failure(A.view, bad) }).toEqual({ i, mask, failure: expected });
        checked++;
      }
    }
    expect(checked).toBe(blob.length * 3);
    for (let n = 0; n < blob.length; n++) expect(failure(A.view, blob.slice(0, n))).toBe(n < MIN_BLOB_BYTES ? 'malformed' : 'signature');
    expect(failure(A.view, concatBytes(blob, new Uint8Array([0])))).toBe('signature');
    expect(failure(A.view, blob)).toBe('ok');
  });

  it('a blob of workbook A does not open with B’s keys, nor with A’s keys and content key under B’s id; a journal blob never opens as a workbook one', () => {
    const blob = sealBlob(A.edit, META, body());
    expect(failure(B.view, blob)).toBe('signature');
    expect(failure(B.edit, blob)).toBe('signature');
    // the hub moved it to workbook B, whose reader somehow knows A's keys: the id is in the ad
    expect(failure({ ...A.view, id: B.id }, blob)).toBe('signature');
    const journal = sealBlob(A.edit, { ...META, doc: DOC_JOURNAL }, body());
    expect(failure(A.view, journal, DOC_WORKBOOK)).toBe('malformed');
    expect(failure(A.view, journal, DOC_JOURNAL)).toBe('ok');
    expect(failure(A.view, blob, DOC_JOURNAL)).toBe('malformed');
    // relabelling the header's doc byte breaks the signature
    const relabelled = journal.slice();
    relabelled[2] = DOC_WORKBOOK;
    expect(failure(A.view, relabelled, DOC_WORKBOOK)).toBe('signature');
    // and a blob signed for another epoch does not open (the epoch is 1, implicit)
    expect(failure(A.view, craft(A.edit, deflateSync(encodeBody(body())), undefined, 2))).toBe('signature');
  });

  it('a view link cannot seal; a blob by another writer key, even with this workbook’s id and content key, fails its signature; a wrong content key fails to decrypt', () => {
    expect(() => sealBlob(A.view, META, body())).toThrow(/writer key/);
    expect(() => sealBlob(A.edit, { ...META, epoch: 2 }, body())).toThrow();
    expect(() => sealBlob(A.edit, { ...META, kind: 3 as never }, body())).toThrow();
    expect(() => sealBlob(A.edit, META, body(undefined, { seq: -1 }))).toThrow();
    // a view-link holder (with the hub) who knows the content key and id, signing with another workbook's writer key
    const forger: SealedKeys = { ...B.edit, id: A.id, contentKey: A.view.contentKey };
    expect(failure(A.view, sealBlob(forger, META, body()))).toBe('signature');
    expect(failure(A.view, craft(forger, deflateSync(encodeBody(body()))))).toBe('signature');
    // signed by A's writer, encrypted with some other key
    const wrongKey: SealedKeys = { ...A.edit, contentKey: B.view.contentKey };
    expect(failure(A.view, sealBlob(wrongKey, META, body()))).toBe('decrypt');
  });

  it('signed and decrypted but not a body: broken deflate, not a BlobBody, bytes after it, a covers count past the end → body', () => {
    const good = encodeBody(body());
    const trailing = concatBytes(good, new Uint8Array([0]));
    const hugeCount = concatBytes(encodeBody(body()).subarray(0, utf8('device-Ana').length + utf8('stream-1').length + 4), new Uint8Array([0xff, 0xff, 0xff, 0xff, 0x0f]));
    for (const compressed of [new Uint8Array(0), new Uint8Array([1, 2, 3]), deflateSync(good).subarray(0, 5), deflateSync(new Uint8Array(0)), deflateSync(trailing), deflateSync(hugeCount), deflateSync(utf8('{"deviceId":"x"}'))]) {
      expect(failure(A.view, craft(A.edit, compressed))).toBe('body');
    }
  });

  it('random garbage of 0..200 bytes never throws and never opens', () => {
    const rand = prng(14);
    for (let n = 0; n <= 200; n++) {
      for (let k = 0; k < 20; k++) {
        const bytes = new Uint8Array(n).map(() => rand.int(256));
        // half of them with a well-formed header, so they reach the signature check
        if (k % 2 && n >= 4) bytes.set([1, 1 + (k % 4 === 1 ? 0 : 1), DOC_WORKBOOK, 0]);
        const opened = openBlob(A.view, bytes, DOC_WORKBOOK);
        expect(opened.ok).toBe(false);
        if (!opened.ok) expect(opened.failure === 'malformed' || opened.failure === 'signature').toBe(true);
      }
    }
    for (const notBytes of [null, undefined, 'blob', 42, {}, [1, 2, 3], new Uint16Array(200)] as unknown[]) {
      expect(openBlob(A.view, notBytes as Uint8Array, DOC_WORKBOOK)).toEqual({ ok: false, failure: 'malformed' });
    }
    // broken keys do not make it throw either
    const blob = sealBlob(A.edit, META, body());
    expect(openBlob({ ...A.view, writerPublic: new Uint8Array(3) }, blob, DOC_WORKBOOK)).toEqual({ ok: false, failure: 'signature' });
    expect(openBlob({ ...A.view, contentKey: new Uint8Array(3) }, blob, DOC_WORKBOOK)).toEqual({ ok: false, failure: 'decrypt' });
  });

  it('a compression bomb signed by the writer is refused (body) once its output passes MAX_BODY_BYTES (256 MiB)', () => {
    // 1 MiB of zeros, flushed so that copies of it concatenate into one raw DEFLATE stream
    const chunk = deflateRawSync(Buffer.alloc(1 << 20), { finishFlush: constants.Z_FULL_FLUSH });
    const copies = MAX_BODY_BYTES / (1 << 20) + 16;
    const bomb = concatBytes(...Array.from({ length: copies }, () => chunk), new Uint8Array([0x03, 0x00]));
    expect(bomb.length).toBeLessThan(2 * 1024 * 1024);
    const started = performance.now();
    expect(failure(A.view, craft(A.edit, bomb))).toBe('body');
    console.log(`compression bomb: ${(bomb.length / 1024).toFixed(0)} KiB → >${copies} MiB, refused in ${(performance.now() - started).toFixed(0)} ms`);
    // the same construction, small, opens: so the refusal above is the size bound
    const small = concatBytes(deflateRawSync(Buffer.from(encodeBody(body())), { finishFlush: constants.Z_FULL_FLUSH }), new Uint8Array([0x03, 0x00]));
    expect(failure(A.view, craft(A.edit, small))).toBe('ok');
  }, 60_000);

  it('timings (printed for the benchmark report)', () => {
    const time = (n: number, f: () => void) => {
      const t = performance.now();
      for (let i = 0; i < n; i++) f();
      return (performance.now() - t) / n;
    };
    const small = body(new Uint8Array(200).map((_, i) => i));
    const smallBlob = sealBlob(A.edit, META, small);
    time(20, () => openBlob(A.view, sealBlob(A.edit, META, small), DOC_WORKBOOK));
    const sealSmall = time(200, () => sealBlob(A.edit, META, small));
    const openSmall = time(200, () => openBlob(A.view, smallBlob, DOC_WORKBOOK));
    const rand = prng(1);
    const mb = 1 << 20;
    const random = body(new Uint8Array(mb).map(() => rand.int(256)));
    // Yjs-like: short repeated records with varying numbers, compressible
    const records = body(utf8(Array.from({ length: 40_000 }, (_, i) => `row${i}:Gym ${i % 97} beds;`).join('').slice(0, mb)));
    const lines = [`seal small blob (200 B update): ${sealSmall.toFixed(2)} ms, open ${openSmall.toFixed(2)} ms; blob ${smallBlob.length} B`];
    for (const [name, b] of [['1 MiB random', random], ['1 MiB records', records]] as const) {
      const blob = sealBlob(A.edit, META, b);
      const seal = time(5, () => sealBlob(A.edit, META, b));
      const open = time(5, () => openBlob(A.view, blob, DOC_WORKBOOK));
      expect(openBlob(A.view, blob, DOC_WORKBOOK).ok).toBe(true);
      lines.push(`${name}: seal ${seal.toFixed(1)} ms/MB, open ${open.toFixed(1)} ms/MB; blob ${(blob.length / 1024).toFixed(0)} KiB`);
    }
    console.log(lines.join('\n'));
  }, 60_000);
});

describe('openBlobAsync (native inflating, for a stored envelope opened ahead of the bridge)', () => {
  /** openBlob and openBlobAsync on the same bytes, with the platform's DecompressionStream and without it. */
  async function both(keys: SealedKeys, blob: Uint8Array, doc: DocTag = DOC_WORKBOOK) {
    const sync = openBlob(keys, blob, doc);
    const native = await openBlobAsync(keys, blob, doc);
    const saved = globalThis.DecompressionStream;
    let fallback: Awaited<ReturnType<typeof openBlobAsync>>;
    try {
      (globalThis as { DecompressionStream?: unknown }).DecompressionStream = undefined;
      fallback = await openBlobAsync(keys, blob, doc);
    } finally {
      globalThis.DecompressionStream = saved;
    }
    return { sync, native, fallback };
  }

  it('opens exactly what openBlob opens, and refuses what it refuses with the same failure: good blobs big and small, tampered, another workbook’s, the journal’s, broken or trailing deflate, not a body', async () => {
    const rand = prng(7);
    const big = body(utf8(Array.from({ length: 20_000 }, (_, i) => `row${i}:Gym ${rand.int(97)} beds;`).join('')));
    const good = sealBlob(A.edit, META, big);
    const flipped = good.slice();
    flipped[200] ^= 1;
    const encoded = encodeBody(body());
    const cases: [string, SealedKeys, Uint8Array, DocTag?][] = [
      ['big', A.view, good],
      ['small', A.view, sealBlob(A.edit, META, body())],
      ['flipped', A.view, flipped],
      ['truncated', A.view, good.subarray(0, good.length - 1)],
      ['other workbook', B.view, good],
      ['journal as workbook', A.view, sealBlob(A.edit, { ...META, doc: DOC_JOURNAL }, body())],
      ['wrong content key', A.view, sealBlob({ ...A.edit, contentKey: B.view.contentKey }, META, body())],
      ['empty deflate', A.view, craft(A.edit, new Uint8Array(0))],
      ['broken deflate', A.view, craft(A.edit, new Uint8Array([1, 2, 3]))],
      ['deflate cut short', A.view, craft(A.edit, deflateSync(encoded).subarray(0, 5))],
      ['bytes after the final block', A.view, craft(A.edit, concatBytes(deflateSync(encoded), new Uint8Array([7, 7, 7])))],
      ['not a body', A.view, craft(A.edit, deflateSync(utf8('{"deviceId":"x"}')))],
    ];
    // what opened, with the update as text: a deep comparison of 0.5 MB byte by byte takes seconds
    const summary = (o: Awaited<ReturnType<typeof openBlobAsync>>) => (o.ok ? { ...o, body: { ...o.body, update: Buffer.from(o.body.update).toString('base64') } } : o);
    for (const [name, keys, blob, doc] of cases) {
      const { sync, native, fallback } = await both(keys, blob, doc);
      expect({ name, native: summary(native) }).toEqual({ name, native: summary(sync) });
      expect({ name, fallback: summary(fallback) }).toEqual({ name, fallback: summary(sync) });
    }
    expect((await openBlobAsync(A.view, good, DOC_WORKBOOK)).ok).toBe(true);
  });

  it('a compression bomb signed by the writer is refused (body) once the native output passes MAX_BODY_BYTES; inflateNative stops there', async () => {
    const chunk = deflateRawSync(Buffer.alloc(1 << 20), { finishFlush: constants.Z_FULL_FLUSH });
    const copies = MAX_BODY_BYTES / (1 << 20) + 16;
    const bomb = concatBytes(...Array.from({ length: copies }, () => chunk), new Uint8Array([0x03, 0x00]));
    const opened = await openBlobAsync(A.view, craft(A.edit, bomb), DOC_WORKBOOK);
    expect(opened.ok ? 'ok' : opened.failure).toBe('body');
    expect(await inflateNative(bomb, 8 << 20)).toBe('too large');
    const few = concatBytes(chunk, chunk, new Uint8Array([0x03, 0x00]));
    expect((await inflateNative(few, 8 << 20)) as Uint8Array).toEqual(new Uint8Array(2 << 20));
  }, 60_000);
});

describe('sealed presence', () => {
  it('round trip; bound to the workbook and the client id; padded; garbage opens to null without throwing', () => {
    for (const state of [{ user: { name: 'Ana ✓', color: '#f00' }, cursor: { sheet: 's', row: 3 } }, null, 'text', 42, [1, 2]]) {
      const sealed = sealPresence(A.view, 1234, state);
      expect(typeof sealed).toBe('string');
      expect(sealed).toMatch(/^[\w-]+$/);
      expect(openPresence(A.edit, 1234, sealed)).toEqual(state);
      expect(openPresence(A.view, 1235, sealed)).toBeNull();
      expect(openPresence(B.view, 1234, sealed)).toBeNull();
      expect(openPresence({ ...A.view, id: B.id }, 1234, sealed)).toBeNull();
    }
    expect(openPresence(A.view, 0xffffffff, sealPresence(A.view, 0xffffffff, { a: 1 }))).toEqual({ a: 1 });
    expect(() => sealPresence(A.view, -1, {})).toThrow();
    expect(() => sealPresence(A.view, 2 ** 32, {})).toThrow();
    // a name's length does not show (to 32 bytes)
    expect(sealPresence(A.view, 1, { user: { name: 'Al' } }).length).toBe(sealPresence(A.view, 1, { user: { name: 'Alejandro Li' } }).length);
    expect(sealPresence(A.view, 1, { user: { name: 'CANARY' } })).not.toContain('CANARY');
    const sealed = sealPresence(A.view, 7, { user: { name: 'Ana' } });
    for (const bad of [undefined, null, 7, {}, '', 'not base64!', sealed.slice(0, -1), sealed.slice(0, 30), sealed + 'A', `${sealed.slice(0, 10)}${sealed[10] === 'A' ? 'B' : 'A'}${sealed.slice(11)}`, 'A'.repeat(2_000_000)]) {
      expect(openPresence(A.view, 7, bad)).toBeNull();
    }
    expect(openPresence(A.view, 7.5, sealed)).toBeNull();
    expect(openPresence(A.view, 7, sealed)).toEqual({ user: { name: 'Ana' } });
  });
});
