// The ledger's SQLite schema, step by step (sql-schema.ts runs the steps an object has not had yet).

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
]
