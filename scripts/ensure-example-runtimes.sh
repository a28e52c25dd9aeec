#!/usr/bin/env bash
# The end-to-end tests run the client examples in examples/ with their real interpreters:
# install PHP (with curl) and Python's requests from Debian when they are missing.
set -euo pipefail
missing=()
command -v php >/dev/null 2>&1 && php -m | grep -qi '^curl$' || missing+=(php-cli php-curl)
command -v python3 >/dev/null 2>&1 && python3 -c 'import requests' >/dev/null 2>&1 || missing+=(python3 python3-requests)
[ ${#missing[@]} -eq 0 ] && exit 0
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
