import * as Y from 'yjs';

/**
 * How deep a plain value inside an update may nest. The model's deepest value
 * is a column's options (a list of objects: depth 3); a value thousands deep
 * passes Yjs on the hub but overflows the stack of every browser that applies
 * it, so one such update would leave a workbook no device can open.
 */
export const MAX_VALUE_DEPTH = 32;

/** True when some value in the decoded update nests deeper than `limit`. Iterative: never recurses on hostile input. */
export function nestsTooDeep(structs: readonly unknown[], limit = MAX_VALUE_DEPTH): boolean {
  for (const struct of structs) {
    if (!(struct instanceof Y.Item)) continue;
    const content = struct.content as unknown;
    let values: unknown[] = [];
    if (content instanceof Y.ContentAny || content instanceof Y.ContentJSON) values = content.arr;
    else if (content instanceof Y.ContentEmbed) values = [content.embed];
    else if (content instanceof Y.ContentFormat) values = [content.value];
    for (const v of values) if (depthOver(v, limit)) return true;
  }
  return false;
}

/** True when one plain value nests deeper than `limit`. Iterative: never recurses on hostile input. */
export function valueNestsTooDeep(root: unknown, limit = MAX_VALUE_DEPTH): boolean {
  if (root === null || typeof root !== 'object') return false;
  return depthOver(root, limit);
}

function depthOver(root: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth >= limit) return true;
    const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    for (const c of children) if (c !== null && typeof c === 'object') stack.push([c, depth + 1]);
  }
  return false;
}
