import { defineConfig } from 'vite';

// `npm run dev` serves the UI with hot reload and sends the API paths to a running
// `calypso serve` (CALYPSO_URL, default http://127.0.0.1:8080).
const api = process.env.CALYPSO_URL || 'http://127.0.0.1:8080';
const proxy = Object.fromEntries(['/v1', '/v2', '/api', '/healthz'].map((p) => [p, api]));

// See shared reference ui.md 2.2 for why each line is here.
export default defineConfig({
  // The Kusto language service is Bridge.NET output that reaches for Node's `global`.
  define: { global: 'globalThis' },
  // Dev server only: pre-bundle the worker modules so opening the editor does not reload.
  optimizeDeps: {
    include: [
      'monaco-editor/esm/vs/editor/editor.worker',
      '@kusto/monaco-kusto/release/esm/kusto.worker',
      '@kusto/language-service/bridge.min',
    ],
  },
  worker: { format: 'es' },
  server: { proxy },
  preview: { proxy },
  build: {
    // CMake builds into its build tree (cmake/web.cmake); `npm run build` alone into dist/.
    outDir: process.env.CALYPSO_WEB_OUT || 'dist',
    emptyOutDir: true,
    // No modulepreload of view chunks: the first screen must not fetch the editor.
    modulePreload: { polyfill: false },
    // The Kusto worker (~8 MB) and monaco (~3 MB) are big by nature and load lazily.
    chunkSizeWarningLimit: 9000,
    reportCompressedSize: false,
  },
});
