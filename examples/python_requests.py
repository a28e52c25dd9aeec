"""Send one WhatsApp message with Python requests. BASE_URL and API_KEY from the environment."""
import json
import os
import sys

import requests

response = requests.post(
    f"{os.environ['BASE_URL']}/api/whatsapp/send",
    headers={"X-API-Key": os.environ["API_KEY"]},
    json={"recipient": "+22370123456", "message": "Hello from Python"},
    timeout=30,
)
print(json.dumps(response.json()))
sys.exit(0 if response.status_code == 200 else 1)
