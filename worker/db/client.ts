import { drizzle } from 'drizzle-orm/d1'
import * as schema from './schema'

export type Db = ReturnType<typeof makeDatabase>

const makeDatabase = (d1: D1Database) => drizzle(d1, { schema })

/** One drizzle instance per binding: making one walks the whole schema (a cost on every request otherwise). */
const instances = new WeakMap<D1Database, Db>()

export function database(d1: D1Database): Db {
  let db = instances.get(d1)
  if (!db) {
    db = makeDatabase(d1)
    instances.set(d1, db)
  }
  return db
}
