// The kinds of secret this worker issues: the start of every plaintext (`wak_…`, `wnt_…`), so a
// leaked string says what it is and a presented one is checked against the right table.

/** Public API keys (`X-API-Key`). */
export const API_KEY_KIND = 'wak'
/** Session-node tokens (`NODE_TOKEN`). */
export const NODE_TOKEN_KIND = 'wnt'
