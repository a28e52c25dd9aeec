#!/usr/bin/env sh
# Send one WhatsApp message with curl. BASE_URL (e.g. http://localhost:8000) and API_KEY from the environment.
set -eu
curl -sS --fail-with-body -X POST "$BASE_URL/api/whatsapp/send" \
  -H "X-API-Key: $API_KEY" \
  -H 'Content-Type: application/json' \
  -d '{"recipient": "+22370123456", "message": "Hello from curl"}'
