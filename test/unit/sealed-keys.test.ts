import { ed25519 } from '@noble/curves/ed25519.js';
import { createHash, createPrivateKey, createPublicKey, hkdfSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CHALLENGE_ID,
  SECURED_ID,
  SIGNED_ID,
  base64url,
  keysFromEditKey,
  proverFor,
  publicKeyOf,
  roleFor,
  sealedIdOf,
  sealedSigningSecret,
  sealedViewKey,
  type Credential,
} from '../../src/protocol/access.js';
import { checkProof, decodeProof, linkHandshake, nobleVerify, syncProofMessage } from '../../src/protocol/challenge.js';
import { SEALED_ID } from '../../src/protocol/sealed.js';
import { newSealedWorkbookKeys, sealedKeysFor } from '../../src/protocol/sealed-keys.js';
import { nodeVerify } from '../../server/proofs.js';

const EDIT_KEY = 'E'.repeat(43);
const editKeyOf = (c: Credential) => (c.role === 'edit' ? c.editKey : '');
const viewOf = (c: Credential) => (c.role === 'view' ? c : { role: 'view' as const, viewKey: '', editVerifier: '' });

describe('sealed workbook keys', () => {
  it('a new sealed workbook has an e… id that commits to the writer and read public keys; the links have the signed shapes', async () => {
    const keys = newSealedWorkbookKeys();
    expect(keys.id).toMatch(SEALED_ID);
    expect(keys.id).toMatch(SECURED_ID);
    expect(keys.id).toMatch(CHALLENGE_ID);
    expect(keys.id).not.toMatch(SIGNED_ID);
    expect(keys.edit).toEqual({ role: 'edit', editKey: expect.stringMatching(/^[\w-]{43}$/) });
    const editKey = editKeyOf(keys.edit);
    const viewKey = sealedViewKey(editKey);
    const writerPublic = publicKeyOf(sealedSigningSecret('edit', editKey));
    const readPublic = publicKeyOf(sealedSigningSecret('view', viewKey));
    expect(keys.view).toEqual({ role: 'view', viewKey, editVerifier: base64url(writerPublic) });
    expect(keys.id).toBe(sealedIdOf(writerPublic, readPublic));
    // the same edit key derives the sealed way only for an e… id; otherwise it is a signed workbook
    expect(await keysFromEditKey(editKey, undefined, keys.id)).toEqual(keys);
    const signed = await keysFromEditKey(editKey);
    expect(signed.id).toMatch(SIGNED_ID);
    expect(signed.view).not.toEqual(keys.view);
    expect(newSealedWorkbookKeys().id).not.toBe(keys.id);
  });

  it('the derivation is fixed (a known edit key gives a known id and view link)', async () => {
    const keys = await keysFromEditKey(EDIT_KEY, undefined, 'e' + 'A'.repeat(43));
    expect(keys.id).toMatch(SEALED_ID);
    // Pinned (and equal to the independent node:crypto derivation below): a change here breaks every sealed link already handed out.
    expect(keys).toMatchInlineSnapshot(`
      {
        "edit": {
          "editKey": "EEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEEE",
          "role": "edit",
        },
        "id": "eATXmD0DPaN8g3c6XmdhfE1Y7Fn2DiZLdRhHADiB1o0c",
        "view": {
          "editVerifier": "zycs4ibx-IyjaMkREUPNy-k3dxpL_z6EA74Cv1a5GbA",
          "role": "view",
          "viewKey": "-fLEkU15oy4oOcf5aw4SOWUOlO74vyKN_1bICD0w3JI",
        },
      }
    `);
  });

  it('the derivation is the documented one, recomputed with node:crypto (HKDF, Ed25519, SHA-256)', () => {
    const keys = newSealedWorkbookKeys();
    const editKey = editKeyOf(keys.edit);
    const H = (key: string, info: string) => new Uint8Array(hkdfSync('sha256', Buffer.from(key), Buffer.from('mutual-sheets/e1'), Buffer.from(info), 32));
    const pub = (seed: Uint8Array) => {
      const jwk = createPublicKey(createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', d: base64url(seed), x: '' }, format: 'jwk' })).export({ format: 'jwk' });
      return new Uint8Array(Buffer.from(jwk.x!, 'base64url'));
    };
    const viewKey = base64url(H(editKey, 'view key'));
    const writerPublic = pub(H(editKey, 'writer signing key'));
    const readPublic = pub(H(viewKey, 'read signing key'));
    const id = 'e' + createHash('sha256').update(Buffer.concat([Buffer.from('mutual-sheets/e1 id\0'), writerPublic, readPublic])).digest('base64url');
    expect(keys.id).toBe(id);
    expect(keys.view).toEqual({ role: 'view', viewKey, editVerifier: base64url(writerPublic) });
    const sealed = sealedKeysFor(keys.id, keys.view)!;
    expect(sealed.contentKey).toEqual(H(viewKey, 'content key'));
    expect(sealed.writerPublic).toEqual(writerPublic);
  });

  it('sealedKeysFor: an edit link signs with the writer key, a view link reads and cannot sign, anything else gives null', () => {
    const keys = newSealedWorkbookKeys();
    const edit = sealedKeysFor(keys.id, keys.edit)!;
    const view = sealedKeysFor(keys.id, keys.view)!;
    expect(edit.role).toBe('edit');
    expect(view.role).toBe('view');
    expect(view.sign).toBeNull();
    expect(edit.contentKey).toEqual(view.contentKey);
    expect(edit.contentKey.length).toBe(32);
    expect(edit.writerPublic).toEqual(view.writerPublic);
    const message = new TextEncoder().encode('hello');
    expect(ed25519.verify(edit.sign!(message), message, view.writerPublic)).toBe(true);
    // the content key is none of the other keys
    expect(base64url(edit.contentKey)).not.toBe(viewOf(keys.view).viewKey);
    expect(base64url(edit.contentKey)).not.toBe(editKeyOf(keys.edit));

    const other = newSealedWorkbookKeys();
    const viewKey = viewOf(keys.view).viewKey;
    for (const bad of [
      null,
      other.edit,
      other.view,
      { role: 'edit', editKey: viewKey },
      { role: 'view', viewKey, editVerifier: viewOf(other.view).editVerifier },
      { role: 'view', viewKey: viewOf(other.view).viewKey, editVerifier: viewOf(keys.view).editVerifier },
      { role: 'view', viewKey, editVerifier: 'not base64!' },
      { role: 'view', viewKey },
      { role: 'edit' },
      { role: 'admin', editKey: editKeyOf(keys.edit) },
    ] as (Credential | null)[]) {
      expect(sealedKeysFor(keys.id, bad)).toBeNull();
    }
    // not a sealed id: the same keys' signed workbook, a legacy id, an open room
    expect(sealedKeysFor(`s${keys.id.slice(1)}`, keys.edit)).toBeNull();
    expect(sealedKeysFor('open-room-1', keys.edit)).toBeNull();
    expect(sealedKeysFor(keys.id.slice(0, 40), keys.edit)).toBeNull();
  });

  it('proverFor / roleFor / checkProof handle e… ids like s… ones, with the sealed domain', async () => {
    const keys = newSealedWorkbookKeys();
    expect(await roleFor(keys.id, keys.edit)).toBe('edit');
    expect(await roleFor(keys.id, keys.view)).toBe('view');
    expect(await roleFor(keys.id, null)).toBeNull();
    expect(await roleFor(keys.id, newSealedWorkbookKeys().edit)).toBeNull();
    expect(await roleFor(keys.id, { role: 'edit', editKey: viewOf(keys.view).viewKey })).toBeNull();
    const nonce = new Uint8Array(32).fill(7);
    for (const credential of [keys.edit, keys.view]) {
      const prover = proverFor(keys.id, credential)!;
      expect(prover.role).toBe(credential.role);
      const hs = linkHandshake(keys.id, keys.id, credential);
      if (hs?.kind !== 'challenge') throw new Error('a sealed workbook is challenged');
      const proof = decodeProof(hs.answer(nonce))!;
      for (const verify of [nodeVerify, nobleVerify]) {
        expect(checkProof(keys.id, proof, syncProofMessage(nonce, keys.id, proof.role), verify)).toBe(credential.role);
        expect(checkProof(keys.id, proof, syncProofMessage(new Uint8Array(32), keys.id, proof.role), verify)).toBeNull();
        // the same public keys hashed the signed way are not this id, nor is another sealed id
        expect(checkProof(`s${keys.id.slice(1)}`, proof, syncProofMessage(nonce, `s${keys.id.slice(1)}`, proof.role), verify)).toBeNull();
        const other = newSealedWorkbookKeys();
        expect(checkProof(other.id, proof, syncProofMessage(nonce, other.id, proof.role), verify)).toBeNull();
      }
    }
    // the writer key is what proves the edit role; the read key the view role
    const editProver = proverFor(keys.id, keys.edit)!;
    expect(editProver.editPublic).toEqual(sealedKeysFor(keys.id, keys.view)!.writerPublic);
    // a signed workbook's key does not prove a sealed one, and back
    const signed = await keysFromEditKey(editKeyOf(keys.edit));
    expect(proverFor(keys.id, signed.view)).toBeNull();
    expect(proverFor(signed.id, keys.view)).toBeNull();
    expect(await roleFor(signed.id, signed.edit)).toBe('edit');
  });

  it('works without crypto.subtle (a plain-http LAN page): only getRandomValues is used', async () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'crypto')!;
    const getRandomValues = globalThis.crypto.getRandomValues.bind(globalThis.crypto);
    Object.defineProperty(globalThis, 'crypto', { value: { getRandomValues }, configurable: true });
    try {
      expect(globalThis.crypto.subtle).toBeUndefined();
      const keys = newSealedWorkbookKeys();
      const view = sealedKeysFor(keys.id, keys.view)!;
      expect(view.role).toBe('view');
      expect(await roleFor(keys.id, keys.edit)).toBe('edit');
      expect(sealedKeysFor(keys.id, keys.edit)!.sign!(new Uint8Array(3)).length).toBe(64);
    } finally {
      Object.defineProperty(globalThis, 'crypto', saved);
    }
  });
});
