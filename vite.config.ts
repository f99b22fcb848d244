import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { defineConfig } from 'vitest/config';
import { patchLib0Decoding } from './src/protocol/var-string.js';

/** lib0 reads short strings through src/protocol/var-string.ts in the bundle: opening a workbook is mostly that. */
function lib0FastStrings(): Plugin {
  const fast = fileURLToPath(new URL('./src/protocol/var-string.ts', import.meta.url));
  return {
    name: 'mutual-sheets:lib0-fast-strings',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]node_modules[\\/]lib0[\\/]decoding\.js$/.test(id.split('?')[0])) return null;
      return { code: patchLib0Decoding(code, fast), map: null };
    },
  };
}

export default defineConfig({
  plugins: [
    lib0FastStrings(),
    // The app shell is precached by a service worker so that, after one visit, the app opens with
    // no network at all. "prompt": a new version waits until the person chooses to reload.
    VitePWA({
      registerType: 'prompt',
      injectRegister: false,
      includeAssets: ['icon-192.png', 'icon-512.png'],
      manifest: {
        name: 'Mutual Sheets',
        short_name: 'Sheets',
        description: 'A shared spreadsheet that works without signal',
        start_url: '/',
        scope: '/',
        display: 'standalone',
        background_color: '#ffffff',
        theme_color: '#1f883d',
        icons: [
          { src: '/icon-192.png', sizes: '192x192', type: 'image/png', purpose: 'any' },
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'any' },
          // Full-bleed background: a launcher cropping it to a circle trims at most the ends of the lines.
          { src: '/icon-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
        ],
      },
      workbox: {
        globPatterns: ['**/*.{js,css,html,png,svg,webmanifest}'],
        navigateFallback: '/index.html',
        // Sync, the API and the health check always go to the hub, never the cache.
        navigateFallbackDenylist: [/^\/sync\//, /^\/api\//, /^\/healthz/],
        // The import worker and SheetJS are big; they are precached too so import works offline.
        maximumFileSizeToCacheInBytes: 4 * 1024 * 1024,
        cleanupOutdatedCaches: true,
      },
    }),
  ],
  // The import worker as an ES module, so its dynamic import of SheetJS stays its own chunk (about 490 KB), fetched
  // only when a workbook is read: a CSV import loads a 27 KB worker. (As an IIFE the worker inlined it: 520 KB each time.)
  worker: { format: 'es' },
  build: {
    target: 'es2022',
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: {
      // `npm run dev`: the Vite dev server forwards sync to the relay it starts beside it.
      '/sync': { target: `ws://localhost:${process.env.RELAY_PORT ?? 8787}`, ws: true },
      '/healthz': { target: `http://localhost:${process.env.RELAY_PORT ?? 8787}` },
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup/locales.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
