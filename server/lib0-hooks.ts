/**
 * A Node module hook (registered by server/main.ts, cli.ts and dev.ts) that patches lib0/decoding.js as the
 * browser bundle is patched (vite.config.ts): short ASCII strings are read by hand before
 * TextDecoder (src/protocol/var-string.ts says why and what stays exactly lib0's).
 */
import { patchLib0Decoding } from '../src/protocol/var-string.js';

const LIB0_DECODING = /[\\/]node_modules[\\/]lib0[\\/]decoding\.js$/;
const FAST_READER = new URL('../src/protocol/var-string.ts', import.meta.url).href;

interface Loaded {
  format?: string | null;
  source?: string | ArrayBuffer | ArrayBufferView | null;
  shortCircuit?: boolean;
}
type NextLoad = (url: string, context?: unknown) => Promise<Loaded>;

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<Loaded> {
  const loaded = await nextLoad(url, context);
  if (!LIB0_DECODING.test(new URL(url).pathname) || loaded.source == null) return loaded;
  const text = typeof loaded.source === 'string' ? loaded.source : new TextDecoder().decode(loaded.source as ArrayBuffer);
  return { ...loaded, source: patchLib0Decoding(text, FAST_READER), shortCircuit: true };
}
