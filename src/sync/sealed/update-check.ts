/**
 * The check every opened blob's update passes before the bridge applies it (bridge.ts): its
 * framing is whole. It reads a Yjs v1 update the way Yjs does (y-protocols' format: the clients'
 * struct runs, then the delete set) but builds nothing and decodes no text — it only steps over
 * each struct's fields and content, bounds-checked, and reads the delete set to its last byte.
 *
 * Why this is enough to keep a blob that does not read from landing half-applied: Yjs reads every
 * struct of an update (text, JSON and all) before it integrates any of them, then reads and applies
 * the delete set range by range. So a fault in the structs' content (text that is not UTF-8, JSON
 * that does not parse) throws before anything lands; what could land half-way is an update whose
 * structs end somewhere else than Yjs thinks, or whose delete set breaks off — exactly what this
 * reads. It is stricter than Yjs where Yjs is lenient: nothing may be read past the end (Yjs reads
 * some fields past it as 0), no byte may follow the delete set, and values may nest at most
 * MAX_NESTING deep (a value thousands deep overflows a browser's stack when Yjs reads it).
 *
 * It replaced `Y.decodeUpdate` as this check: that one builds every struct and decodes every
 * string, a second full decode of each blob before `Y.applyUpdate` does it again (~0.15–0.25 s of
 * a 10k × 10 workbook's open; this takes ~10 ms).
 */

/** Containers (arrays, objects) a value may nest inside each other; the model's deepest is 3. */
export const MAX_NESTING = 256;

const BIT6 = 32;
const BIT7 = 64;
const BIT8 = 128;
const BITS5 = 31;
/** Yjs's type refs: YArray … YXmlText; YXmlElement (3) and YXmlHook (5) carry a name. */
const LAST_TYPE_REF = 6;

class Unreadable extends Error {}

class Reader {
  pos = 0;
  constructor(readonly arr: Uint8Array) {}

  /** lib0's varUint, refusing to run past the end or past 2^53. */
  uint(): number {
    const arr = this.arr;
    const len = arr.length;
    let num = 0;
    let mult = 1;
    while (this.pos < len) {
      const r = arr[this.pos++];
      num += (r & 127) * mult;
      mult *= 128;
      if (r < BIT8) return num;
      if (num > Number.MAX_SAFE_INTEGER) throw new Unreadable('number out of range');
    }
    throw new Unreadable('past the end');
  }

  /** lib0's varInt: a sign and six bits, then as varUint. */
  int(): void {
    const r = this.byte();
    if ((r & BIT8) !== 0) this.uint();
  }

  byte(): number {
    if (this.pos >= this.arr.length) throw new Unreadable('past the end');
    return this.arr[this.pos++];
  }

  skip(n: number): void {
    if (n > this.arr.length - this.pos) throw new Unreadable('past the end');
    this.pos += n;
  }

  /** An id: client, clock. */
  id(): void {
    this.uint();
    this.uint();
  }

  /** A varString or varUint8Array: its length, then that many bytes. */
  bytes(): void {
    this.skip(this.uint());
  }

  /** lib0's readAny, stepped over. */
  any(depth: number): void {
    const tag = this.byte();
    switch (tag) {
      case 127: // undefined
      case 126: // null
      case 121: // false
      case 120: // true
        return;
      case 125:
        return this.int();
      case 124:
        return this.skip(4);
      case 123: // float64
      case 122: // bigint64
        return this.skip(8);
      case 119: // string
      case 116: // Uint8Array
        return this.bytes();
      case 118: {
        // object: n × (key, value)
        if (depth >= MAX_NESTING) throw new Unreadable('nested too deep');
        for (let n = this.uint(); n > 0; n--) {
          this.bytes();
          this.any(depth + 1);
        }
        return;
      }
      case 117: {
        if (depth >= MAX_NESTING) throw new Unreadable('nested too deep');
        for (let n = this.uint(); n > 0; n--) this.any(depth + 1);
        return;
      }
      default:
        throw new Unreadable(`unknown value tag ${tag}`);
    }
  }

  /** Yjs's readItemContent for a v1 update (structs/Item.js contentRefs), stepped over. */
  content(ref: number): void {
    switch (ref) {
      case 1: // ContentDeleted: its length
        this.uint();
        return;
      case 2: // ContentJSON: n strings
        for (let n = this.uint(); n > 0; n--) this.bytes();
        return;
      case 3: // ContentBinary
      case 4: // ContentString
      case 5: // ContentEmbed (JSON text)
        this.bytes();
        return;
      case 6: // ContentFormat: key, JSON text
        this.bytes();
        this.bytes();
        return;
      case 7: {
        // ContentType: a type ref; the XML element and hook carry their name
        const type = this.uint();
        if (type > LAST_TYPE_REF) throw new Unreadable(`unknown type ${type}`);
        if (type === 3 || type === 5) this.bytes();
        return;
      }
      case 8: // ContentAny: n values
        for (let n = this.uint(); n > 0; n--) this.any(0);
        return;
      case 9: // ContentDoc: guid, options
        this.bytes();
        this.any(0);
        return;
      default:
        throw new Unreadable(`unknown content ${ref}`);
    }
  }
}

/** Steps over one update's structs and delete set (yjs utils/encoding.js readClientsStructRefs, DeleteSet.js readAndApplyDeleteSet). */
function walk(r: Reader): void {
  for (let clients = r.uint(); clients > 0; clients--) {
    let structs = r.uint();
    r.uint(); // client
    r.uint(); // first clock
    for (; structs > 0; structs--) {
      const info = r.byte();
      const ref = info & BITS5;
      if (ref === 0 || ref === 10) {
        // GC, Skip: a length
        r.uint();
        continue;
      }
      if (info & BIT8) r.id(); // origin
      if (info & BIT7) r.id(); // right origin
      if ((info & (BIT7 | BIT8)) === 0) {
        // parent: a root type's name, or the id of the item holding it; then maybe a map key
        if (r.uint() === 1) r.bytes();
        else r.id();
        if (info & BIT6) r.bytes();
      }
      r.content(ref);
    }
  }
  for (let clients = r.uint(); clients > 0; clients--) {
    r.uint(); // client
    for (let ranges = r.uint(); ranges > 0; ranges--) {
      r.uint(); // clock
      r.uint(); // length
    }
  }
  if (r.pos !== r.arr.length) throw new Unreadable('bytes after the delete set');
}

/**
 * Whether these bytes are one whole Yjs v1 update by the reading above: every struct's fields and
 * content where they belong, the delete set read to the last byte, nothing past it. Never throws.
 */
export function wellFramedUpdate(update: Uint8Array): boolean {
  try {
    walk(new Reader(update));
    return true;
  } catch {
    // Unreadable, or anything else while reading hostile bytes: refused either way
    return false;
  }
}
