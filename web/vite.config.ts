/** The dashboard's build: web/ → web/dist, served by `leash start`. `npm run dev:web` proxies the API to :8787. */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The budget test (test/web/bundle-budget.test.ts) holds the entry to its gzipped size.
    chunkSizeWarningLimit: 600,
  },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8787' },
  },
});
