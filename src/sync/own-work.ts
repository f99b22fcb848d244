import * as Y from 'yjs';

/**
 * Checking what the hub holds at clocks this device holds, and putting this device's work back
 * when someone else's structs have taken those clocks.
 *
 * A Yjs struct is named by (client id, clock). Anyone with an edit link can send structs under a
 * colleague's client id; if they reach the hub before the colleague's own (say, while the
 * colleague is offline), the hub keeps the forgery and skips the real ones as already known, and
 * its full delete set then deletes the real ones on the colleague's own screen. The hub cannot
 * tell a forgery from a reloaded page relaying its old session's edits (docs/architecture.md), but
 * the device holding the real structs can: it compares them with what the hub shows at the same
 * clocks, and re-issues whatever the hub does not hold under a fresh client id.
 */

/** Clock ranges per client id: [from, to) */
export type ClockRanges = Map<number, [number, number]>;

/** One struct of this device's to write again, with what it held before anything arrived. */
export interface Lost {
  item: Y.Item;
  /** set again under this key of a map */
  key: string | null;
  parent: Y.AbstractType<any>;
  /** a copy of the content, taken before the hub's update could delete it here */
  values: unknown[];
  text: string | null;
}

export interface Verdict {
  /** live items of this device under a taken client id, from the first taken clock on */
  lost: Lost[];
  /** client ids whose clocks someone else used, and the first clock that cannot be trusted */
  taken: Map<number, number>;
}

/**
 * Compares the structs of `update` (from the hub) with this device's own in `ranges`, before the
 * update is applied. A live item here does not match when the hub holds at its clocks a GC (unless
 * its parent was deleted: the hub collects those), or an item at another place or with other
 * content; a deleted item (ContentDeleted) at the same place is someone's ordinary delete.
 *
 * One mismatch and the client id is taken: from the first unconfirmed clock on, nothing of it means
 * the same here and on the hub (even structs the hub has not seen yet would land among the forged
 * ones), so all of this device's live work under it from there is written again.
 */
export function compareWithHub(doc: Y.Doc, update: Uint8Array, ranges: ClockRanges): Verdict {
  const verdict: Verdict = { lost: [], taken: new Map() };
  if (ranges.size === 0) return verdict;
  const { structs, ds } = Y.decodeUpdate(update);
  for (const theirs of structs) {
    const client = theirs.id.client;
    const range = ranges.get(client);
    const mine = doc.store.clients.get(client);
    if (!range || !mine || verdict.taken.has(client) || theirs instanceof Y.Skip) continue;
    const from = Math.max(range[0], theirs.id.clock);
    const to = Math.min(range[1], theirs.id.clock + theirs.length, Y.getState(doc.store, client));
    if (from >= to) continue;
    for (let i = Y.findIndexSS(mine, from); i < mine.length && mine[i].id.clock < to; i++) {
      const own = mine[i];
      if (!(own instanceof Y.Item) || own.deleted) continue;
      const a = Math.max(from, own.id.clock);
      const b = Math.min(to, own.id.clock + own.length);
      if (!sameStruct(doc, own, theirs, a, b, ds)) {
        verdict.taken.set(client, range[0]);
        break;
      }
    }
  }
  const items = new Set<Y.Item>();
  for (const [client, from] of verdict.taken) {
    const mine = doc.store.clients.get(client)!;
    for (let i = Y.findIndexSS(mine, Math.min(from, Y.getState(doc.store, client) - 1)); i < mine.length; i++) {
      const own = mine[i];
      if (own instanceof Y.Item && !own.deleted && own.id.clock + own.length > from) items.add(own);
    }
  }
  verdict.lost = captureLost(items);
  return verdict;
}

/** Whether `theirs` holds at clocks [a, b) what `own` (a live item here) holds. */
function sameStruct(doc: Y.Doc, own: Y.Item, theirs: Y.Item | Y.GC, a: number, b: number, ds: ReturnType<typeof Y.decodeUpdate>['ds']): boolean {
  if (theirs instanceof Y.GC) {
    // The hub turns deleted items into GC only when their parent is collected too.
    const parent = own.parent instanceof Y.AbstractType ? own.parent._item : null;
    return parent !== null && (parent.deleted || Y.isDeleted(ds, parent.id));
  }
  const originOf = (s: Y.Item, at: number) => (at === s.id.clock ? s.origin : Y.createID(s.id.client, at - 1));
  if (!Y.compareIDs(originOf(own, a), originOf(theirs, a)) || !Y.compareIDs(own.rightOrigin, theirs.rightOrigin)) return false;
  if (a === theirs.id.clock && theirs.origin === null && theirs.rightOrigin === null) {
    // Only then does the update name the parent (and map key) itself.
    if (theirs.parentSub !== own.parentSub || !sameParent(doc, own, theirs.parent)) return false;
  }
  if (theirs.content instanceof Y.ContentDeleted) return true;
  if (theirs.content.constructor !== own.content.constructor) return false;
  const mineAt = own.content.getContent();
  const theirsAt = theirs.content.getContent();
  if (own.content instanceof Y.ContentString) {
    const s = (own.content as Y.ContentString).str;
    const t = (theirs.content as Y.ContentString).str;
    return s.slice(a - own.id.clock, b - own.id.clock) === t.slice(a - theirs.id.clock, b - theirs.id.clock);
  }
  for (let c = a; c < b; c++) {
    const m = mineAt[c - own.id.clock];
    const t = theirsAt[c - theirs.id.clock];
    if (m instanceof Y.AbstractType || t instanceof Y.AbstractType) {
      if (!(m instanceof Y.AbstractType && t instanceof Y.AbstractType) || m.constructor !== t.constructor) return false;
    } else if (!sameValue(m, t)) {
      return false;
    }
  }
  return true;
}

function sameParent(doc: Y.Doc, own: Y.Item, theirs: unknown): boolean {
  const parent = own.parent;
  if (!(parent instanceof Y.AbstractType)) return false;
  if (parent._item) return theirs instanceof Y.ID && Y.compareIDs(parent._item.id, theirs);
  if (typeof theirs !== 'string') return false;
  return doc.share.get(theirs) === parent;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return a.length === b.length && a.every((x, i) => x === b[i]);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * Copies the lost items' content now, before the hub's update arrives: its delete set would
 * otherwise take the content with it. An item inside a lost map or array is carried by its
 * ancestor's copy and not kept on its own.
 */
function captureLost(items: Set<Y.Item>): Lost[] {
  const out: Lost[] = [];
  for (const item of items) {
    if (hasLostAncestor(item, items)) continue;
    const parent = item.parent;
    if (!(parent instanceof Y.AbstractType)) continue;
    const values = item.content.getContent().map((v) => (v instanceof Y.AbstractType ? v.clone() : v instanceof Uint8Array ? v.slice() : v));
    const text = item.content instanceof Y.ContentString ? (item.content as Y.ContentString).str : null;
    out.push({ item, key: item.parentSub, parent, values, text });
  }
  return out;
}

function hasLostAncestor(item: Y.Item, items: Set<Y.Item>): boolean {
  for (let p = item.parent instanceof Y.AbstractType ? item.parent._item : null; p; p = p.parent instanceof Y.AbstractType ? p.parent._item : null) {
    if (items.has(p)) return true;
  }
  return false;
}

/**
 * Writes the lost work again, as new structs under a client id nobody else has used, after the
 * hub's update has been applied. A map value someone has since replaced stays replaced (that is an
 * ordinary later write); a container someone deleted is not written into.
 *
 * Placement matters as much as content. Every new item is anchored on neighbours outside the taken
 * clocks (which are GC on the hub, or someone else's structs: Yjs drops an item next to a GC, and
 * places one next to a forged struct where that struct is), and gets a client id above the taken
 * one, so that it lands after the old items here exactly as after the forged ones on the hub (Yjs
 * orders siblings of one origin by client id). A list's items are placed right to left, each
 * anchored on the one placed before it, so they keep their order.
 */
export function reissue(doc: Y.Doc, verdict: Verdict, origin: object): number {
  const lost = verdict.lost;
  if (lost.length === 0) return 0;
  const above = Math.max(...verdict.taken.keys());
  if (verdict.taken.has(doc.clientID) || doc.clientID <= above) doc.clientID = freshClientId(doc, above);
  const taken = (item: Y.Item | null) => {
    if (!item) return false;
    const from = verdict.taken.get(item.id.client);
    return from !== undefined && item.id.clock + item.length > from;
  };
  let written = 0;
  doc.transact((tr) => {
    const lists = new Map<Y.AbstractType<any>, Set<Y.Item>>();
    for (const l of lost) {
      const container = l.parent._item;
      if (container && container.deleted) continue;
      if (l.key === null) {
        const set = lists.get(l.parent) ?? new Set();
        set.add(l.item);
        lists.set(l.parent, set);
        continue;
      }
      const current = l.parent._map.get(l.key);
      if (current && current !== l.item && !current.deleted) continue;
      if (l.values.length === 0) continue;
      let left = l.item.left;
      while (taken(left)) left = left!.left;
      place(tr, doc, left, null, l.parent, l.key, contentOf([l.values[l.values.length - 1]]));
      written++;
    }
    const byItem = new Map(lost.map((l) => [l.item, l]));
    for (const [parent, items] of lists) {
      const inOrder: Y.Item[] = [];
      for (let n = parent._start; n !== null; n = n.right) if (items.has(n)) inOrder.push(n);
      for (const item of inOrder.reverse()) {
        const l = byItem.get(item)!;
        if (!item.deleted) item.delete(tr);
        let left = item.left;
        while (taken(left)) left = left!.left;
        let right = item.right;
        while (taken(right)) right = right!.right;
        const content = parent instanceof Y.Text && l.text !== null ? new Y.ContentString(l.text) : contentOf(l.values);
        place(tr, doc, left, right, parent, null, content);
        written++;
      }
    }
  }, origin);
  return written;
}

/** A new item between `left` and `right`, the way Yjs's own inserts make one. */
function place(tr: Y.Transaction, doc: Y.Doc, left: Y.Item | null, right: Y.Item | null, parent: Y.AbstractType<any>, key: string | null, content: ItemContent): void {
  const id = Y.createID(doc.clientID, Y.getState(doc.store, doc.clientID));
  const item = new Y.Item(id, left, left && left.lastId, right, right && right.id, parent, key, content);
  item.integrate(tr, 0);
}

type ItemContent = ConstructorParameters<typeof Y.Item>[7];

function contentOf(values: unknown[]): ItemContent {
  if (values.length === 1 && values[0] instanceof Y.AbstractType) return new Y.ContentType(values[0] as never);
  if (values.length === 1 && values[0] instanceof Uint8Array) return new Y.ContentBinary(values[0]);
  return new Y.ContentAny(values as never[]);
}

/** A client id unused in this doc: the colliding one is known to whoever used it. */
export function freshClientId(doc: Y.Doc, above = 0): number {
  for (let tries = 0; ; tries++) {
    const r = crypto.getRandomValues(new Uint32Array(1))[0];
    // above the taken ids when there is room (see reissue); any unused id otherwise
    const id = above < 0xfffffff0 && tries < 100 ? above + 1 + (r % (0xffffffff - above)) : r;
    if (id !== 0 && id <= 0xffffffff && !doc.store.clients.has(id)) return id;
  }
}

/** Clients of `update` whose structs start below what this doc holds of them: clocks both sides claim. */
export function overlapsHeld(doc: Y.Doc, update: Uint8Array): ClockRanges {
  const { from, to } = Y.parseUpdateMeta(update);
  const out: ClockRanges = new Map();
  for (const [client, clock] of from) {
    const held = Y.getState(doc.store, client);
    if (clock < held) out.set(client, [clock, Math.min(held, to.get(client) ?? held)]);
  }
  return out;
}
