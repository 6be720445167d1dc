import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // A guard against hangs only: generous enough that a loaded machine never trips it.
    testTimeout: 600_000,
    pool: 'forks',
    setupFiles: ['test/setup.ts'],
  },
});
