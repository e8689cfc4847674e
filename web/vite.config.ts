/// <reference types="vitest/config" />
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";

// The API server during `npm run dev` (make run listens on 8080).
const api = process.env.DOCKET_API ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [tailwindcss()],
  // TSX through esbuild's automatic runtime: no React plugin needed for a build.
  esbuild: { jsx: "automatic" },
  server: {
    proxy: { "/api": { target: api, changeOrigin: false } },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    rollupOptions: {
      // Libraries mark their modules "use client" for server-rendering frameworks; a plain SPA has no use for it.
      onwarn(warning, warn) {
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
    css: false,
  },
});
