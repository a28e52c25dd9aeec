// Versioned schemas for Durable Object SQLite. Each store names its schema and lists its steps;
// the stored version says how many have run, so construction costs one SELECT once the object
// is current, and the next column is one more step. Steps run in order, each in a transaction
// with its version bump, so a failed step leaves the object at the previous version.
//
// Step 1 of every store is its schema as first released with versioning, written with
// IF NOT EXISTS: objects created by earlier code (which ran that DDL on every construction)
// adopt it as they are.

const VERSIONS_TABLE = 'schema_versions'

export function migrate(storage: DurableObjectStorage, schema: string, steps: readonly string[]): void {
  const sql = storage.sql
  sql.exec(`CREATE TABLE IF NOT EXISTS ${VERSIONS_TABLE} (schema TEXT PRIMARY KEY, version INTEGER NOT NULL)`)
  const current = schemaVersion(storage, schema)
  if (current > steps.length) {
    // Older code must never write under a newer schema (a rollback after a migration ran).
    throw new Error(`the ${schema} schema is at version ${current}, newer than this code knows (${steps.length})`)
  }
  steps.slice(current).forEach((step, index) => {
    storage.transactionSync(() => {
      sql.exec(step)
      sql.exec(
        `INSERT INTO ${VERSIONS_TABLE} (schema, version) VALUES (?, ?) ON CONFLICT (schema) DO UPDATE SET version = excluded.version`,
        schema,
        current + index + 1,
      )
    })
  })
}

/** How many steps of `schema` have run here (0 for none). */
export function schemaVersion(storage: DurableObjectStorage, schema: string): number {
  const row = storage.sql.exec<{ version: number }>(`SELECT version FROM ${VERSIONS_TABLE} WHERE schema = ?`, schema).toArray()[0]
  return row?.version ?? 0
}

/**
 * A store over one Durable Object's SQLite whose schema is `steps` under `schema`, brought up
 * to date when the store is made (inside the object's constructor, before any RPC or socket
 * event can run).
 */
export abstract class SqlStore {
  protected readonly sql: SqlStorage

  constructor(
    protected readonly storage: DurableObjectStorage,
    private readonly schema: string,
    private readonly steps: readonly string[],
  ) {
    this.sql = storage.sql
    this.createSchema()
  }

  /** Also run after `deleteAll()`, so the object is back to a blank, current schema. */
  createSchema(): void {
    migrate(this.storage, this.schema, this.steps)
  }
}
