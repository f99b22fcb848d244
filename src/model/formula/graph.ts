/**
 * The dependency graph's bookkeeping, apart from what the nodes mean: reader indexes and finding
 * cycles.
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

