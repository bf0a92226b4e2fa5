import { defineConfig } from 'vite';

// The page is served by the control plane under /portal/ from classpath:/static/portal/, so the build writes straight
// into the control plane's classes folder (control-plane/pom.xml runs it in generate-resources).
export default defineConfig({
  base: '/portal/',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: '../target/classes/static/portal',
    emptyOutDir: true,
    // No inline scripts or styles: the CSP allows only 'self'.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: {
    // `npm run dev` against a control plane on 8090 (./run-local).
    proxy: { '/v1': 'http://127.0.0.1:8090', '/portal/config': 'http://127.0.0.1:8090' },
  },
});
