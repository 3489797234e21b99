import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/**/*.test.ts"],
    reporters: ["default", "./tests/helpers/closing-line-reporter.ts"],
    // The CLI tests spawn real processes and write real files; give them room on a busy 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
