import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-pool-workers'
import { defineConfig } from 'vitest/config'

export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations')
  return {
    test: {
      projects: [
        {
          plugins: [
            cloudflareTest({
              wrangler: { configPath: './wrangler.toml' },
              miniflare: {
                bindings: {
                  TEST_MIGRATIONS: migrations,
                  ADMIN_TOKEN: 'test-admin-token-0123456789abcdefghij',
                  // Short, so the tests can watch a cached key lookup go stale.
                  AUTH_CACHE_TTL_MS: '300',
                  FLEET_FAILOVER_GRACE_MS: '300',
                },
              },
            }),
          ],
          test: {
            name: 'worker',
            include: ['test/worker/**/*.test.ts'],
            setupFiles: ['./test/worker/apply-migrations.ts'],
          },
        },
        // `npm run bench` only (WORKER_BENCH=1): the ledger at a million rows and the cost of a
        // message, with the production cache lifetimes.
        ...(process.env.WORKER_BENCH
          ? [
              {
                plugins: [
                  cloudflareTest({
                    wrangler: { configPath: './wrangler.toml' },
                    miniflare: {
                      bindings: {
                        TEST_MIGRATIONS: migrations,
                        ADMIN_TOKEN: 'test-admin-token-0123456789abcdefghij',
                        RATE_LIMIT_PER_SEC: '1000000',
                        RATE_LIMIT_BURST: '1000000',
                      },
                    },
                  }),
                ],
                test: { name: 'worker-bench', include: ['test/worker/**/*.bench.ts'], setupFiles: ['./test/worker/apply-migrations.ts'] },
              },
            ]
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
