import { defineConfig } from 'vitest/config';

// Test tiers by file name: *.test.ts (pure and local I/O), *.pg.test.ts (real Postgres at DATABASE_URL),
// *.browser.test.ts (Debian Chromium). Postgres tests never skip: global setup fails the run when it is absent.
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'data/**'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.vitest-report.json' }]] : ['default'],
  },
});
