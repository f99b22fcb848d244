import { describe, expect, it } from 'vitest';
import {
  SECURED_ID,
  SIGNED_ID,
  keysFromEditKey,
  legacyKeysFromEditKey,
  newWorkbookKeys,
  proverFor,
  roleFor,
  signedViewKey,
} from '../../src/protocol/access.js';
import {
  apiProofMessage,
  checkProof,
  decodeChallenge,
  decodeProof,
  decodeProofHeader,
  encodeChallenge,
  encodeProof,
  encodeProofHeader,
  linkHandshake,
  nobleVerify,
  prove,
  syncProofMessage,
} from '../../src/protocol/challenge.js';
import { ApiNonces, nodeVerify } from '../../server/proofs.js';
import { closeReason } from '../../src/ui/i18n/status-text.js';
import { errorTextIn } from '../../src/ui/i18n/error-text.js';
import { SnapshotApiError } from '../../src/protocol/snapshots.js';
import { securedCopyKind, readOnlyFor } from '../../src/ui/secured-copy-notice.js';
import { newSealedWorkbookKeys } from '../../src/protocol/sealed-keys.js';

const EDIT_KEY = 'E'.repeat(43);

describe('signed workbook ids and links', () => {
  it('new workbooks are signed (s…); the id follows from the edit key alone, and the view link carries the edit public key', async () => {
    const fresh = await newWorkbookKeys();
    expect(fresh.id).toMatch(SIGNED_ID);
    expect(fresh.id).toMatch(SECURED_ID);
    const a = await keysFromEditKey(EDIT_KEY);
    const b = await keysFromEditKey(EDIT_KEY);
    expect(a).toEqual(b);
    expect(a.view).toEqual({ role: 'view', viewKey: signedViewKey(EDIT_KEY), editVerifier: expect.stringMatching(/^[\w-]{43}$/) });
    expect(await roleFor(a.id, a.edit)).toBe('edit');
    expect(await roleFor(a.id, a.view)).toBe('view');
    // the view key as an edit key, another workbook's key, a view link with a wrong public key: nothing
    const viewKey = a.view.role === 'view' ? a.view.viewKey : '';
    expect(await roleFor(a.id, { role: 'edit', editKey: viewKey })).toBeNull();
    expect(await roleFor(a.id, (await newWorkbookKeys()).edit)).toBeNull();
    expect(await roleFor(a.id, { role: 'view', viewKey, editVerifier: viewKey })).toBeNull();
    expect(proverFor(a.id, { role: 'view', viewKey, editVerifier: 'not base64!' + 'x'.repeat(32) })).toBeNull();
  });

  it('legacy k… ids keep their derivation, chosen by the id', async () => {
    const legacy = await legacyKeysFromEditKey(EDIT_KEY);
    expect(legacy.id).toMatch(/^k[\w-]{43}$/);
    expect(await keysFromEditKey(EDIT_KEY, undefined, legacy.id)).toEqual(legacy);
    expect(await roleFor(legacy.id, legacy.view)).toBe('view');
    expect(linkHandshake(legacy.id, legacy.id, legacy.edit)?.kind).toBe('hello');
    expect(linkHandshake('open-room-1', 'open-room-1', legacy.edit)).toBeNull();
    expect(proverFor(legacy.id, legacy.edit)).toBeNull();
  });
});

describe('proofs', () => {
  it('a proof verifies (Node’s and the pure-JS verifier agree) for its own nonce, room and role only', async () => {
    const keys = await keysFromEditKey(EDIT_KEY);
    const nonce = new Uint8Array(32).fill(1);
    expect(decodeChallenge(encodeChallenge(nonce))).toEqual(nonce);
    expect(decodeChallenge(encodeChallenge(new Uint8Array(31)))).toBeNull();
    for (const credential of [keys.edit, keys.view]) {
      const prover = proverFor(keys.id, credential)!;
      const frame = linkHandshake(keys.id, keys.id, credential);
      if (frame?.kind !== 'challenge') throw new Error('a signed workbook is challenged');
      const proof = decodeProof(frame.answer(nonce))!;
      expect(proof.role).toBe(credential.role);
      for (const verify of [nodeVerify, nobleVerify]) {
        expect(checkProof(keys.id, proof, syncProofMessage(nonce, keys.id, proof.role), verify)).toBe(credential.role);
        expect(checkProof(keys.id, proof, syncProofMessage(new Uint8Array(32).fill(2), keys.id, proof.role), verify)).toBeNull();
        expect(checkProof(keys.id, proof, syncProofMessage(nonce, `${keys.id}.h`, proof.role), verify)).toBeNull();
        expect(checkProof(keys.id, { ...proof, role: proof.role === 'edit' ? 'view' : 'edit' }, syncProofMessage(nonce, keys.id, proof.role === 'edit' ? 'view' : 'edit'), verify)).toBeNull();
        expect(checkProof((await newWorkbookKeys()).id, proof, syncProofMessage(nonce, keys.id, proof.role), verify)).toBeNull();
      }
      expect(decodeProof(encodeProof(prove(prover, new Uint8Array([1]))))?.editPublic).toEqual(prover.editPublic);
    }
    // Malformed frames and headers are refused, never thrown.
    const good = encodeProof(prove(proverFor(keys.id, keys.edit)!, new Uint8Array([1])));
    for (let cut = 0; cut < good.length; cut++) expect(decodeProof(good.slice(0, cut))).toBeNull();
    expect(decodeProof(new Uint8Array([...good, 0]))).toBeNull();
    for (const bad of ['', 'edit', 'admin.n.a.b.c', 'edit.n.a.b.c', `edit.${'n'.repeat(300)}.a.b.c`]) expect(decodeProofHeader(bad)).toBeNull();
    const header = encodeProofHeader('bm9uY2U', prove(proverFor(keys.id, keys.view)!, apiProofMessage('bm9uY2U', 'get', '/api/w/x/snapshots', 'view', '')));
    expect(decodeProofHeader(header)?.proof.role).toBe('view');
  });

  it('API nonces: good for their room, once, within the window; a restarted hub’s are useless', () => {
    let now = 1_000_000;
    const nonces = new ApiNonces(() => now, 120_000);
    const n = nonces.issue('sRoom');
    expect(nonces.valid('sRoom', n)).toBe(true);
    expect(nonces.valid('sOther', n)).toBe(false);
    expect(nonces.valid('sRoom', n.slice(0, -2) + (n.endsWith('AA') ? 'AB' : 'AA'))).toBe(false);
    expect(new ApiNonces(() => now).valid('sRoom', n)).toBe(false);
    nonces.spend(n);
    expect(nonces.valid('sRoom', n)).toBe(false);
    const late = nonces.issue('sRoom');
    now += 120_001;
    expect(nonces.valid('sRoom', late)).toBe(false);
    // spent nonces are forgotten once they would have expired anyway
    const m = nonces.issue('sRoom');
    now += 130_000;
    nonces.spend(nonces.issue('sRoom'));
    expect(nonces.remembered).toBe(1);
    expect(nonces.valid('sRoom', m)).toBe(false);
  });
});

describe('words for the hub’s newer refusals, and the secured-copy notice', () => {
  it('says 4410, 4503 and every snapshot API refusal in English and Spanish', () => {
    for (const code of [4410, 4503]) {
      expect(closeReason('en', { code, reason: 'hub words' })).not.toBe('hub words');
      expect(closeReason('es', { code, reason: 'hub words' })).not.toBe(closeReason('en', { code, reason: 'hub words' }));
    }
    for (const code of ['CROSS_SITE', 'RATE_LIMITED', 'SNAPSHOTS_FULL', 'AUTOMATIC_SNAPSHOT'] as const) {
      const en = errorTextIn('en', new SnapshotApiError(code, 'hub words'));
      expect(en, code).not.toBe('hub words');
      expect(errorTextIn('es', new SnapshotApiError(code, 'hub words')), code).not.toBe(en);
    }
  });

  it('offers a secured copy for open workbooks (read-only) and to legacy editors, not for signed ones', async () => {
    const signed = await newWorkbookKeys();
    const legacy = await legacyKeysFromEditKey(EDIT_KEY);
    expect([securedCopyKind('open-room-1', null), readOnlyFor('open-room-1', null)]).toEqual(['open', true]);
    expect([securedCopyKind(legacy.id, legacy.edit), readOnlyFor(legacy.id, legacy.edit)]).toEqual(['legacy', false]);
    expect(securedCopyKind(legacy.id, legacy.view)).toBeNull();
    // a signed workbook's plain text is on the hub: its editors are offered a sealed copy, its viewers nothing
    expect([securedCopyKind(signed.id, signed.edit), securedCopyKind(signed.id, signed.view), readOnlyFor(signed.id, signed.edit), readOnlyFor(signed.id, signed.view)]).toEqual(['unsealed', null, false, true]);
    const sealed = newSealedWorkbookKeys();
    expect([securedCopyKind(sealed.id, sealed.edit), readOnlyFor(sealed.id, sealed.edit), readOnlyFor(sealed.id, sealed.view)]).toEqual([null, false, true]);
  });
});
