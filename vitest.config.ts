import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    globalSetup: ['test/support/global-setup.ts'],
    // Abuse limits off for tests of other things (many proposals by one member, hostile agents on purpose): the
    // limits' own tests (test/http/limits.test.ts, test/http/agent-channel-stop.test.ts) set them.
    env: {
      LEASH_MAX_OPEN_APPROVALS: '100000',
      LEASH_MAX_APPROVALS_PER_HOUR: '100000',
      LEASH_AGENT_STOP_AFTER: '100000',
    },
    // PGlite boots a WASM Postgres per test file; two cores run two files at a time comfortably.
    maxWorkers: 2,
  },
});
