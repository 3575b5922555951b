// Bundles the web form (our page code + ODK's @getodk/web-forms + Vue) into hashed files under
// dist/assets/. The server reads dist/.vite/manifest.json to name them in the page and the
// service worker, and serves them as immutable: a new build gives new names.
import { defineConfig } from 'vite';

export default defineConfig({
  base: '/webform/',
  // Nothing from a CDN: every byte the page needs comes out of node_modules at build time.
  publicDir: false,
  define: {
    __VUE_OPTIONS_API__: 'true',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    manifest: true,
    target: 'es2022',
    // The engine bundle is large by nature (≈3.5 MB, ≈1.2 MB gzip): no warning about it.
    chunkSizeWarningLimit: 4096,
    rollupOptions: { input: { webform: 'src/main.js' } },
  },
});
