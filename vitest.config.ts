import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      {
        test: {
          name: 'unit',
          include: ['server/**/*.test.ts', 'test/unit/**/*.test.ts'],
          testTimeout: 30_000,
          // vitest's default is one worker fewer than the cores: one on 2 cores
          maxWorkers: 2,
          // unit tests run first, then the integration files (which start real servers)
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // GITSSY_TEST_DB=postgres: every server on a database of one PostgreSQL cluster
          globalSetup: ['test/pg-global-setup.ts'],
          testTimeout: 180_000,
          hookTimeout: 120_000,
          // each file starts its own real server; two at a time fits 2 cores
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
      {
        test: {
          name: 'browser',
          // real Chromium against a real server: a person's path through the UI
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 180_000,
          // a page under a loaded CI machine can take seconds to settle: polls wait that long
          expect: { poll: { timeout: 15_000 } },
          hookTimeout: 120_000,
          maxWorkers: 2,
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
