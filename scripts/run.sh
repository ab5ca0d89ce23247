#!/usr/bin/env bash
# Run command: installs what is missing, starts the local aedes broker
# (ws://127.0.0.1:9001/mqtt and mqtt://127.0.0.1:1883) and serves the app on
# http://127.0.0.1:8080 with that broker preselected. Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
source scripts/env.sh

node dev-broker/broker.mjs --ws-port 9001 --tcp-port 1883 &
BROKER_PID=$!
trap 'kill $BROKER_PID 2>/dev/null || true' EXIT INT TERM

echo "App: http://127.0.0.1:8080  (first build takes a few minutes)"
trunk serve --release
