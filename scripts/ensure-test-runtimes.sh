#!/usr/bin/env bash
# What `npm test` needs beyond npm packages, installed from Debian when missing: PHP (with curl)
# and Python's requests for the client examples in examples/, and Chromium for the dashboard's
# browser test (driven by playwright-core; no browser download).
set -euo pipefail
missing=()
command -v php >/dev/null 2>&1 && php -m | grep -qi '^curl$' || missing+=(php-cli php-curl)
command -v python3 >/dev/null 2>&1 && python3 -c 'import requests' >/dev/null 2>&1 || missing+=(python3 python3-requests)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
