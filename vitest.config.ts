import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "apps/*/test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    setupFiles: ["test/support/local-dns.ts"],
    // Emulator-backed tests start processes and wait on queues; the defaults (5 s) are too tight on 2 cores.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
