/**
 * The dependency graph's bookkeeping, apart from what the nodes mean: reader indexes, finding
 * cycles, and the pass that evaluates in dependency order.
 */

/** What a node needs for cycle finding: its successors in the current pass, and whether it is settled. */
export interface GraphNode<N> {
  succ: N[];
  done: boolean;
}

export function addTo<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(value);
}

export function removeFrom<K, V>(map: Map<K, Set<V>>, key: K, value: V): void {
  const set = map.get(key);
  if (!set) return;
  set.delete(value);
  if (!set.size) map.delete(key);
}

/** Who reads a cell: most cells are read by one formula, so one node, and a set only when several. */
export type Deps<N> = N | Set<N>;

export function addDep<N extends object>(map: Map<string, Deps<N>>, key: string, node: N): void {
  const cur = map.get(key);
  if (cur === undefined) map.set(key, node);
  else if (cur instanceof Set) cur.add(node);
  else if (cur !== node) map.set(key, new Set([cur, node]));
}

export function removeDep<N extends object>(map: Map<string, Deps<N>>, key: string, node: N): void {
  const cur = map.get(key);
  if (cur === node) map.delete(key);
  else if (cur instanceof Set) {
    cur.delete(node);
    if (cur.size === 1) map.set(key, cur.values().next().value!);
  }
}

export function forEachDep<N extends object>(deps: Deps<N>, visit: (n: N) => void): void {
  if (deps instanceof Set) for (const n of deps) visit(n);
  else visit(deps);
}

export function hasDep<N extends object>(deps: Deps<N>, n: N): boolean {
  return deps instanceof Set ? deps.has(n) : deps === n;
}

/** Nodes on a cycle among `left` (Tarjan, iterative: a chain of 10,000 formulas must not overflow the stack). */
export function cyclic<N extends GraphNode<N>>(left: N[]): N[] {
  const index = new Map<N, number>();
  const low = new Map<N, number>();
  const onStack = new Set<N>();
  const stack: N[] = [];
  const out: N[] = [];
  let counter = 0;
  for (const root of left) {
    if (index.has(root)) continue;
    const work: { n: N; i: number; next: N[] }[] = [{ n: root, i: 0, next: root.succ.filter((y) => !y.done) }];
    index.set(root, counter);
    low.set(root, counter++);
    stack.push(root);
    onStack.add(root);
    while (work.length) {
      const top = work[work.length - 1];
      if (top.i < top.next.length) {
        const y = top.next[top.i++];
        if (!index.has(y)) {
          index.set(y, counter);
          low.set(y, counter++);
          stack.push(y);
          onStack.add(y);
          work.push({ n: y, i: 0, next: y.succ.filter((z) => !z.done) });
        } else if (onStack.has(y)) low.set(top.n, Math.min(low.get(top.n)!, index.get(y)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].n;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.n)!));
      }
      if (low.get(top.n) === index.get(top.n)) {
        const part: N[] = [];
        let m: N;
        do {
          m = stack.pop()!;
          onStack.delete(m);
          part.push(m);
        } while (m !== top.n);
        if (part.length > 1 || top.n.succ.includes(top.n)) out.push(...part);
      }
    }
  }
  return out;
}


/** A node's bookkeeping in a Pass (one pass at a time per node set: no maps per pass). */
export interface PassNode<N> extends GraphNode<N> {
  pass: number;
  indeg: number;
  /** settle()'s walk: visited in this walk, and on its current path (a cycle when met again) */
  mark: number;
  onPath: boolean;
}

export interface PassHooks<N> {
  /**
   * What reads this node's cell(s), each listed once; the pass keeps it as `succ` (the hook may
   * hand back the same list on every pass while the graph has not changed).
   */
  successors(n: N): N[];
  /** Nodes whose successors include n, or null when that is not known any more (the graph changed during the pass). */
  predecessors(n: N): readonly N[] | null;
  evaluate(n: N): void;
  /** a node on a cycle: it reads #CYCLE!, and what depends on it evaluates after */
  cycle(n: N): void;
}

let passIds = 0;
let walkIds = 0;

/**
 * One recomputation: everything reachable from the nodes it starts from, evaluated in dependency
 * order (Kahn). It can stop and go on later (`run(stop)`), and evaluate first only what some nodes
 * need (`settle`): every node's predecessors in the pass are evaluated before it either way, so the
 * order among independent nodes is all that changes, and results are the same. What is left when
 * no node is ready holds a cycle: its strongly connected parts read #CYCLE!, found from the graph
 * alone, never from arrival order.
 */
export class Pass<N extends PassNode<N>> {
  readonly id = ++passIds;
  private readonly reach: N[] = [];
  private readonly ready: N[] = [];
  private settled = 0;
  private closed = false;

  constructor(
    start: Iterable<N>,
    private readonly hooks: PassHooks<N>,
  ) {
    for (const n of start) this.enter(n);
    const reach = this.reach;
    for (let i = 0; i < reach.length; i++) {
      const x = reach[i];
      const succ = (x.succ = hooks.successors(x));
      for (let k = 0; k < succ.length; k++) {
        const y = succ[k];
        if (y.pass !== this.id) this.enter(y);
        y.indeg++;
      }
    }
    for (const n of reach) if (n.indeg === 0) this.ready.push(n);
  }

  private enter(n: N): void {
    n.pass = this.id;
    n.indeg = 0;
    n.done = false;
    this.reach.push(n);
  }

  get size(): number {
    return this.reach.length;
  }

  get finished(): boolean {
    return this.settled >= this.reach.length;
  }

  /** In this pass and not evaluated yet. */
  pending(n: N): boolean {
    return !this.closed && n.pass === this.id && !n.done;
  }

  private settle1(n: N, onCycle = false): void {
    n.done = true;
    this.settled++;
    if (onCycle) this.hooks.cycle(n);
    else this.hooks.evaluate(n);
  }

  private release(n: N): void {
    for (const y of n.succ) {
      if (y.done) continue;
      if (--y.indeg === 0) this.ready.push(y);
    }
  }

  /**
   * Evaluates what `targets` need, and them: their pending predecessors, depth first (iteratively:
   * a chain of 20,000 must not overflow the stack). Returns false, having evaluated only part, when
   * a cycle lies among them (cycles are decided by run(), over what is left) or the graph changed.
   */
  settle(targets: Iterable<N>): boolean {
    const walk = ++walkIds;
    const path: { n: N; i: number }[] = [];
    for (const t of targets) {
      if (!this.pending(t) || t.mark === walk) continue;
      t.mark = walk;
      t.onPath = true;
      path.push({ n: t, i: 0 });
      while (path.length) {
        const top = path[path.length - 1];
        const pred = this.hooks.predecessors(top.n);
        if (!pred) {
          for (const q of path) q.n.onPath = false;
          return false;
        }
        if (top.i < pred.length) {
          const p = pred[top.i++];
          if (!this.pending(p)) continue;
          if (p.mark === walk) {
            if (!p.onPath) continue;
            for (const q of path) q.n.onPath = false;
            return false;
          }
          p.mark = walk;
          p.onPath = true;
          path.push({ n: p, i: 0 });
          continue;
        }
        path.pop();
        top.n.onPath = false;
        this.settle1(top.n);
        this.release(top.n);
      }
    }
    return true;
  }

  /** Goes on in dependency order until everything is evaluated (true) or `stop()` says so (checked every few nodes). */
  run(stop: () => boolean = () => false): boolean {
    let count = 0;
    while (!this.finished) {
      while (this.ready.length) {
        const n = this.ready.pop()!;
        if (n.done) continue;
        this.settle1(n);
        this.release(n);
        if (++count % 64 === 0 && !this.finished && stop()) return false;
      }
      if (this.finished) break;
      const onCycle = cyclic(this.reach.filter((n) => !n.done));
      for (const n of onCycle) this.settle1(n, true);
      for (const n of onCycle) this.release(n);
      // nothing on a cycle and nothing ready cannot happen in a graph; never spin if it did
      if (!onCycle.length && !this.ready.length) break;
    }
    this.close();
    return true;
  }

  /** Gives up the pass: the nodes it had not evaluated, to start again from in a new one. */
  abandon(): N[] {
    const left = this.reach.filter((n) => !n.done);
    this.close();
    return left;
  }

  private close(): void {
    this.closed = true;
    this.reach.length = 0;
    this.ready.length = 0;
  }
}
