import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { valueNestsTooDeep, MAX_VALUE_DEPTH } from './content-depth.js';

/**
 * Reads a Yjs update (v1, what y-protocols sends) struct by struct, the way Yjs itself reads it,
 * without building Yjs objects and without touching any document — so that a hostile update is
 * refused early and cheaply, and a huge legitimate one can be checked a slice at a time.
 *
 * Counts are read before what they count: an update announcing more structs (or delete ranges)
 * than the limit is refused from its header, before a single struct is read. The scan keeps, per
 * struct, only numbers (clock, length, kind, where its bytes start, which other clients it needs),
 * which is what the room needs to check clocks and to apply the update in small pieces.
 */

export type ScanFailure = 'malformed' | 'too-many-structs' | 'too-deep';

export class ScanError extends Error {
  constructor(
    readonly failure: ScanFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface ScanLimits {
  /** structs in one update */
  maxStructs: number;
  /** delete ranges in one update (a device's sync answer carries its whole delete set) */
  maxDeleteRanges: number;
  /** how deep a value may nest (server/content-depth.ts) */
  maxDepth?: number;
}

/** Clocks count items; no real workbook comes near 2^31. */
export const MAX_CLOCK = 2 ** 31;

export const KIND_GC = 0;
export const KIND_SKIP = 1;
export const KIND_ITEM = 2;
/** an item whose content is ContentDeleted: it claims clocks but holds nothing */
export const KIND_DELETED = 3;

/** One client's run of structs in the update. */
export interface Block {
  client: number;
  /** index of its first struct in the scan's arrays */
  first: number;
  count: number;
  /** byte offset just past its last struct */
  byteEnd: number;
}

const BIT6 = 32;
const BIT7 = 64;
const BIT8 = 128;
const BITS5 = 31;

export class UpdateScan {
  readonly blocks: Block[] = [];
  /** per struct */
  clock = new Float64Array(256);
  len = new Float64Array(256);
  kind = new Uint8Array(256);
  byteStart = new Uint32Array(256);
  block = new Uint32Array(256);
  structs = 0;
  /** Cross-client references: for struct `depOf[i]`, the item (depClient[i], depClock[i]) must exist first. */
  depOf: number[] = [];
  depClient: number[] = [];
  depClock: number[] = [];
  /** The delete set, as read: per client, flat [clock, len, clock, len, …]. */
  readonly deletes = new Map<number, number[]>();
  deleteRanges = 0;
  /** byte offset where the delete set starts */
  dsStart = -1;
  done = false;

  private readonly dec: decoding.Decoder;
  private readonly maxDepth: number;
  private blocksLeft = -1;
  private cur: Block | null = null;
  private curLeft = 0;
  private curClock = 0;
  private readonly seenClients = new Set<number>();

  constructor(
    readonly bytes: Uint8Array,
    private readonly limits: ScanLimits,
  ) {
    this.dec = decoding.createDecoder(bytes);
    this.maxDepth = limits.maxDepth ?? MAX_VALUE_DEPTH;
  }

  /**
   * Reads on until the update is fully read (true) or `deadline` (performance.now()) passes
   * (false: call again). Throws ScanError for anything Yjs would not read, or over the limits.
   */
  step(deadline: number): boolean {
    if (this.done) return true;
    try {
      return this.run(deadline);
    } catch (err) {
      if (err instanceof ScanError) throw err;
      throw new ScanError('malformed', `unreadable update (${err instanceof Error ? err.message : String(err)})`);
    }
  }

  private run(deadline: number): boolean {
    const dec = this.dec;
    if (this.blocksLeft < 0) {
      this.blocksLeft = readUint(dec);
      // every client's run takes at least three bytes: a count the bytes cannot hold is a lie
      if (this.blocksLeft * 3 > dec.arr.length - dec.pos) throw new ScanError('malformed', 'more clients announced than the update holds');
      if (this.blocksLeft > this.limits.maxStructs) throw new ScanError('too-many-structs', `${this.blocksLeft} clients in one update`);
    }
    let sinceCheck = 0;
    while (this.cur || this.blocksLeft > 0) {
      if (!this.cur) {
        if (++sinceCheck >= 64) {
          sinceCheck = 0;
          if (performance.now() > deadline) return false;
        }
        const count = readUint(dec);
        // every struct takes at least two bytes
        if (count * 2 > dec.arr.length - dec.pos) throw new ScanError('malformed', 'more structs announced than the update holds');
        if (this.structs + count > this.limits.maxStructs) throw new ScanError('too-many-structs', `more than ${this.limits.maxStructs} structs in one update`);
        const client = readUint(dec);
        const clock = readUint(dec);
        // Yjs keeps only the last run it reads for a client: a repeated client hides structs.
        if (this.seenClients.has(client)) throw new ScanError('malformed', 'a client listed twice');
        this.seenClients.add(client);
        this.blocksLeft--;
        if (count === 0) continue;
        this.cur = { client, first: this.structs, count, byteEnd: 0 };
        this.blocks.push(this.cur);
        this.curLeft = count;
        this.curClock = clock;
      }
      while (this.curLeft > 0) {
        this.readStruct();
        this.curLeft--;
        if (++sinceCheck >= 64) {
          sinceCheck = 0;
          if (performance.now() > deadline && (this.curLeft > 0 || this.blocksLeft > 0)) {
            if (this.curLeft === 0) this.endBlock();
            return false;
          }
        }
      }
      this.endBlock();
    }
    if (this.dsStart < 0) this.dsStart = dec.pos;
    this.readDeleteSet();
    this.done = true;
    return true;
  }

  private endBlock(): void {
    if (!this.cur) return;
    this.cur.byteEnd = this.dec.pos;
    this.cur = null;
  }

  private grow(): void {
    const n = this.clock.length * 2;
    const f64 = (a: Float64Array) => {
      const b = new Float64Array(n);
      b.set(a);
      return b;
    };
    this.clock = f64(this.clock);
    this.len = f64(this.len);
    const k = new Uint8Array(n);
    k.set(this.kind);
    this.kind = k;
    const s = new Uint32Array(n);
    s.set(this.byteStart);
    this.byteStart = s;
    const bl = new Uint32Array(n);
    bl.set(this.block);
    this.block = bl;
  }

  private readStruct(): void {
    const dec = this.dec;
    const i = this.structs;
    if (i >= this.clock.length) this.grow();
    const client = this.cur!.client;
    const clock = this.curClock;
    this.byteStart[i] = dec.pos;
    this.block[i] = this.blocks.length - 1;
    if (dec.pos >= dec.arr.length) throw new ScanError('malformed', 'truncated update');
    const info = dec.arr[dec.pos++];
    let kind: number;
    let len: number;
    switch (info & BITS5) {
      case 0:
        kind = KIND_GC;
        len = readUint(dec);
        break;
      case 10:
        kind = KIND_SKIP;
        len = readUint(dec);
        break;
      default: {
        kind = KIND_ITEM;
        const cantCopyParentInfo = (info & (BIT7 | BIT8)) === 0;
        if (info & BIT8) this.ref(i, client, clock, readUint(dec), readUint(dec));
        if (info & BIT7) this.ref(i, client, clock, readUint(dec), readUint(dec));
        if (cantCopyParentInfo) {
          if (readUint(dec) === 1) decoding.readVarString(dec);
          else this.ref(i, client, clock, readUint(dec), readUint(dec));
          if (info & BIT6) decoding.readVarString(dec);
        }
        len = this.readContent(info & BITS5);
        if ((info & BITS5) === 1) kind = KIND_DELETED;
      }
    }
    if (!(len > 0)) throw new ScanError('malformed', 'a struct of length 0');
    if (clock + len > MAX_CLOCK) throw new ScanError('malformed', 'clock out of range');
    this.clock[i] = clock;
    this.len[i] = len;
    this.kind[i] = kind;
    this.curClock = clock + len;
    this.structs++;
  }

  /** An id an item points at (origin, right origin, parent). */
  private ref(i: number, client: number, clock: number, refClient: number, refClock: number): void {
    if (refClock >= MAX_CLOCK) throw new ScanError('malformed', 'reference out of range');
    if (refClient === client) {
      // An item can only point at what its own client made before it.
      if (refClock >= clock) throw new ScanError('malformed', 'an item refers to its own client’s future');
      return;
    }
    this.depOf.push(i);
    this.depClient.push(refClient);
    this.depClock.push(refClock);
  }

  /** Reads an item's content as Yjs would; returns its length in clocks. */
  private readContent(ref: number): number {
    const dec = this.dec;
    switch (ref) {
      case 1: // ContentDeleted
        return readUint(dec);
      case 2: {
        // ContentJSON
        const n = readUint(dec);
        for (let k = 0; k < n; k++) {
          const s = decoding.readVarString(dec);
          if (s !== 'undefined') this.value(JSON.parse(s));
        }
        return n;
      }
      case 3: // ContentBinary
        decoding.readVarUint8Array(dec);
        return 1;
      case 4: // ContentString
        return decoding.readVarString(dec).length;
      case 5: // ContentEmbed
        this.value(JSON.parse(decoding.readVarString(dec)));
        return 1;
      case 6: // ContentFormat
        decoding.readVarString(dec);
        this.value(JSON.parse(decoding.readVarString(dec)));
        return 1;
      case 7: {
        // ContentType
        const typeRef = readUint(dec);
        if (typeRef > 6) throw new ScanError('malformed', 'unknown type');
        if (typeRef === 3 || typeRef === 5) decoding.readVarString(dec);
        return 1;
      }
      case 8: {
        // ContentAny
        const n = readUint(dec);
        for (let k = 0; k < n; k++) this.value(decoding.readAny(dec));
        return n;
      }
      case 9: {
        // ContentDoc
        decoding.readVarString(dec);
        const opts = decoding.readAny(dec);
        if (opts === null || typeof opts !== 'object') throw new ScanError('malformed', 'bad subdocument options');
        return 1;
      }
      default:
        throw new ScanError('malformed', `unknown content ${ref}`);
    }
  }

  private value(v: unknown): void {
    if (valueNestsTooDeep(v, this.maxDepth)) throw new ScanError('too-deep', 'value nested too deep');
  }

  private readDeleteSet(): void {
    const dec = this.dec;
    const clients = readUint(dec);
    if (clients * 2 > dec.arr.length - dec.pos) throw new ScanError('malformed', 'more clients announced than the delete set holds');
    if (clients > this.limits.maxDeleteRanges) throw new ScanError('too-many-structs', `${clients} clients in one delete set`);
    for (let c = 0; c < clients; c++) {
      const client = readUint(dec);
      const n = readUint(dec);
      if (n * 2 > dec.arr.length - dec.pos) throw new ScanError('malformed', 'more delete ranges announced than the update holds');
      if (this.deleteRanges + n > this.limits.maxDeleteRanges) throw new ScanError('too-many-structs', `more than ${this.limits.maxDeleteRanges} delete ranges in one update`);
      if (n === 0) continue;
      let list = this.deletes.get(client);
      if (!list) this.deletes.set(client, (list = []));
      for (let k = 0; k < n; k++) {
        const clock = readUint(dec);
        const len = readUint(dec);
        if (clock + len > MAX_CLOCK) throw new ScanError('malformed', 'delete range out of range');
        list.push(clock, len);
      }
      this.deleteRanges += n;
    }
  }

  /** The update's first and end clock of real structs per client (Skip structs hold nothing). */
  byteEndOf(i: number): number {
    const b = this.blocks[this.block[i]];
    return i + 1 < b.first + b.count ? this.byteStart[i + 1] : b.byteEnd;
  }
}

function readUint(dec: decoding.Decoder): number {
  return decoding.readVarUint(dec);
}

/**
 * Writes a v1 update holding, for each [block, from, to) range, those structs of the scanned update
 * (their bytes copied as they are: in v1 a struct's bytes do not depend on the struct before it),
 * and the given delete ranges.
 */
export function encodePart(scan: UpdateScan, ranges: [block: number, from: number, to: number][], deletes: Map<number, number[]> | null): Uint8Array {
  const enc = encoding.createEncoder();
  encoding.writeVarUint(enc, ranges.length);
  for (const [b, from, to] of ranges) {
    const block = scan.blocks[b];
    encoding.writeVarUint(enc, to - from);
    encoding.writeVarUint(enc, block.client);
    encoding.writeVarUint(enc, scan.clock[from]);
    encoding.writeUint8Array(enc, scan.bytes.subarray(scan.byteStart[from], scan.byteEndOf(to - 1)));
  }
  const ds = deletes ?? new Map<number, number[]>();
  encoding.writeVarUint(enc, ds.size);
  for (const [client, flat] of ds) {
    encoding.writeVarUint(enc, client);
    encoding.writeVarUint(enc, flat.length / 2);
    for (let k = 0; k < flat.length; k++) encoding.writeVarUint(enc, flat[k]);
  }
  return encoding.toUint8Array(enc);
}
