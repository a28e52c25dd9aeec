// The ledger's SQLite schema, step by step (sql-schema.ts runs the steps an object has not had yet).

/** The UTC day (YYYY-MM-DD) of an epoch-ms expression, in SQL. */
const day = (ms: string) => `strftime('%Y-%m-%d', (${ms}) / 1000, 'unixepoch')`

export const LEDGER_SCHEMA = [
  `CREATE TABLE IF NOT EXISTS messages (
        message_id TEXT PRIMARY KEY,
        company_id INTEGER NOT NULL,
        batch_id TEXT,
        batch_index INTEGER,
        recipient TEXT NOT NULL,
        chat_id TEXT NOT NULL,
        type TEXT NOT NULL,
        text TEXT,
        media_url TEXT,
        status TEXT NOT NULL,
        error TEXT,
        wa_message_id TEXT,
        quota_period TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        sent_at INTEGER,
        delivered_at INTEGER,
        read_at INTEGER,
        failed_at INTEGER,
        dispatched_at INTEGER,
        outbox_seq INTEGER
      );
      CREATE INDEX IF NOT EXISTS messages_outbox ON messages (status, outbox_seq);
      CREATE INDEX IF NOT EXISTS messages_batch ON messages (batch_id, batch_index);
      CREATE INDEX IF NOT EXISTS messages_wa ON messages (wa_message_id);
      CREATE INDEX IF NOT EXISTS messages_recent ON messages (created_at, message_id);`,
  // The last outbox position handed out: an insert bumps it instead of scanning for MAX(outbox_seq).
  `CREATE TABLE outbox_counter (id INTEGER PRIMARY KEY CHECK (id = 1), last INTEGER NOT NULL);
   INSERT INTO outbox_counter (id, last) SELECT 1, COALESCE(MAX(outbox_seq), 0) FROM messages;`,
  // Inbound messages live here too, one row per WhatsApp message (device/inbound.ts).
  `ALTER TABLE messages ADD COLUMN direction TEXT NOT NULL DEFAULT 'outbound';
   ALTER TABLE messages ADD COLUMN details TEXT;
   ALTER TABLE messages ADD COLUMN received_at INTEGER;
   CREATE UNIQUE INDEX messages_inbound_wa ON messages (wa_message_id) WHERE direction = 'inbound';
   CREATE INDEX messages_chat ON messages (chat_id, created_at);`,
  // The message a send quotes (our message id): a WhatsApp reply.
  'ALTER TABLE messages ADD COLUMN reply_to TEXT',
  // Whether a bulk request still has messages to send, without reading the rest of it.
  'CREATE INDEX messages_batch_status ON messages (batch_id, status)',
  // Scheduled sends: the next one due is an index lookup; cancelled ones keep when.
  `ALTER TABLE messages ADD COLUMN send_at INTEGER;
   ALTER TABLE messages ADD COLUMN cancelled_at INTEGER;
   CREATE INDEX messages_scheduled ON messages (status, send_at);`,
  // Counters kept as the ledger changes (by triggers, in the transaction of the change), so a
  // batch's progress and a day's usage are read from a few rows instead of scanning messages.
  // Existing rows are counted once, here.
  `CREATE TABLE batches (batch_id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, total INTEGER NOT NULL);
   CREATE INDEX batches_recent ON batches (created_at, batch_id);
   CREATE TABLE batch_counts (batch_id TEXT NOT NULL, status TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (batch_id, status));
   CREATE TABLE daily_usage (day TEXT NOT NULL, metric TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (day, metric));
   INSERT INTO batches SELECT batch_id, MIN(created_at), COUNT(*) FROM messages WHERE batch_id IS NOT NULL GROUP BY batch_id;
   INSERT INTO batch_counts SELECT batch_id, status, COUNT(*) FROM messages WHERE batch_id IS NOT NULL GROUP BY batch_id, status;
   INSERT INTO daily_usage SELECT day, metric, COUNT(*) FROM (
       SELECT ${day('sent_at')} AS day, 'sent' AS metric FROM messages WHERE sent_at IS NOT NULL
       UNION ALL SELECT ${day('delivered_at')}, 'delivered' FROM messages WHERE delivered_at IS NOT NULL AND direction = 'outbound'
       UNION ALL SELECT ${day('read_at')}, 'read' FROM messages WHERE read_at IS NOT NULL AND direction = 'outbound'
       UNION ALL SELECT ${day('failed_at')}, 'failed' FROM messages WHERE failed_at IS NOT NULL
       UNION ALL SELECT ${day('created_at')}, 'received' FROM messages WHERE status = 'received')
     GROUP BY day, metric;
   CREATE TRIGGER messages_count_insert AFTER INSERT ON messages BEGIN
     INSERT INTO batches (batch_id, created_at, total) SELECT new.batch_id, new.created_at, 1 WHERE new.batch_id IS NOT NULL
       ON CONFLICT (batch_id) DO UPDATE SET total = total + 1;
     INSERT INTO batch_counts (batch_id, status, n) SELECT new.batch_id, new.status, 1 WHERE new.batch_id IS NOT NULL
       ON CONFLICT (batch_id, status) DO UPDATE SET n = n + 1;
     INSERT INTO daily_usage (day, metric, n) SELECT ${day('new.created_at')}, 'received', 1 WHERE new.status = 'received'
       ON CONFLICT (day, metric) DO UPDATE SET n = n + 1;
   END;
   CREATE TRIGGER messages_count_update AFTER UPDATE OF status ON messages WHEN old.status != new.status BEGIN
     UPDATE batch_counts SET n = n - 1 WHERE old.batch_id IS NOT NULL AND batch_id = old.batch_id AND status = old.status;
     INSERT INTO batch_counts (batch_id, status, n) SELECT new.batch_id, new.status, 1 WHERE new.batch_id IS NOT NULL
       ON CONFLICT (batch_id, status) DO UPDATE SET n = n + 1;
     INSERT INTO daily_usage (day, metric, n)
       SELECT ${day(`COALESCE(CASE new.status WHEN 'sent' THEN new.sent_at WHEN 'delivered' THEN new.delivered_at
                     WHEN 'read' THEN new.read_at WHEN 'failed' THEN new.failed_at END, new.created_at)`)}, new.status, 1
       WHERE new.status IN ('sent', 'delivered', 'read', 'failed')
       ON CONFLICT (day, metric) DO UPDATE SET n = n + 1;
     -- A read with no delivered receipt before it was delivered all the same.
     INSERT INTO daily_usage (day, metric, n) SELECT ${day('new.read_at')}, 'delivered', 1 WHERE new.status = 'read' AND old.status = 'sent'
       ON CONFLICT (day, metric) DO UPDATE SET n = n + 1;
   END;`, // Partial indexes for the outbox's questions (what is queued, due, in flight, left in a
  // batch), replacing indexes on status: a receipt (sent → delivered → read) now changes no
  // index at all, where it changed three. Single sends (no batch) and messages not sent yet (no
  // WhatsApp id) are left out of the indexes on those columns. Fewer rows written per message (docs/cost.md) and
  // less work per receipt (docs/performance.md).
  `DROP INDEX messages_outbox;
   DROP INDEX messages_scheduled;
   DROP INDEX messages_batch_status;
   CREATE INDEX messages_queued ON messages (outbox_seq) WHERE status = 'queued';
   CREATE INDEX messages_due ON messages (send_at, outbox_seq) WHERE status = 'scheduled';
   CREATE INDEX messages_in_flight ON messages (dispatched_at) WHERE status = 'sending';
   CREATE INDEX messages_batch_pending ON messages (batch_id) WHERE status IN ('scheduled', 'queued', 'sending');
   DROP INDEX messages_batch;
   CREATE INDEX messages_batch ON messages (batch_id, batch_index) WHERE batch_id IS NOT NULL;
   DROP INDEX messages_wa;
   CREATE INDEX messages_wa ON messages (wa_message_id) WHERE wa_message_id IS NOT NULL;`,
  // Only bulk requests ask whether they have messages left: a single send (no batch) stays out
  // of that index, one row written less when it is accepted (docs/cost.md).
  `DROP INDEX messages_batch_pending;
   CREATE INDEX messages_batch_pending ON messages (batch_id)
     WHERE batch_id IS NOT NULL AND status IN ('scheduled', 'queued', 'sending');`,
]
