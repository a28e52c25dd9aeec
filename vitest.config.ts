import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'

export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations')
  /** A project in the Workers runtime, against real D1, Durable Objects and R2, with these settings. */
  const workersPool = (name: string, include: string, settings: Record<string, string>) => ({
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: { bindings: { TEST_MIGRATIONS: migrations, ADMIN_TOKEN: 'test-admin-token-0123456789abcdefghij', ...settings } },
      }),
    ],
    test: { name, include: [include], setupFiles: ['./test/worker/apply-migrations.ts'] },
  })
  return {
    test: {
      projects: [
        // Short, so the tests can watch a cached key lookup go stale and a lost node's devices move.
        workersPool('worker', 'test/worker/**/*.test.ts', { AUTH_CACHE_TTL_MS: '300', FLEET_FAILOVER_GRACE_MS: '300' }),
        // `npm run bench` only (WORKER_BENCH=1): the ledger at a million rows and the cost of a
        // message, with the production cache lifetimes and no per-key rate limit.
        ...(process.env.WORKER_BENCH
          ? [workersPool('worker-bench', 'test/worker/**/*.bench.ts', { RATE_LIMIT_PER_SEC: '1000000', RATE_LIMIT_BURST: '1000000' })]
          : []),
        {
          test: {
            name: 'node',
            environment: 'node',
            include: ['test/node/**/*.test.ts'],
            testTimeout: 20_000,
          },
        },
        {
          test: {
            name: 'e2e',
            environment: 'node',
            include: ['test/e2e/**/*.test.ts'],
            testTimeout: 120_000,
            hookTimeout: 120_000,
            fileParallelism: false,
          },
        },
      ],
    },
  }
})
