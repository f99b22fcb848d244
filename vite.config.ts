import { defineConfig } from 'vitest/config';

export default defineConfig({
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
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});
