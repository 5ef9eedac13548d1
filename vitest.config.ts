import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Crypto differential suites run thousands of WASM calls; give slow CI machines room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
