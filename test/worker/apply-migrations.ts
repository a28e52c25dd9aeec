import { applyD1Migrations } from 'cloudflare:test'
import { env } from 'cloudflare:workers'

// Safe to repeat: applied migrations are recorded and skipped.
await applyD1Migrations(env.DB, env.TEST_MIGRATIONS)
