#!/usr/bin/env bash
# Test command: installs what the tests need, then runs every test layer:
#   1. formatting and clippy (native and wasm32), warnings are errors
#   2. native unit/property/scenario tests of the pure modules (cargo test)
#   3. the release build of the app (trunk build --release)
#   4. wasm-bindgen-test suites in headless Chromium, against a real broker
#   5. end-to-end tests of the built page in headless Chromium (playwright-core)
#      against the real aedes broker, with mqtt.js as the outside client
# Exits non-zero on the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
source scripts/env.sh
# Build cache outside the clone speeds up repeat runs; nothing depends on it.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/mqtt-console/target}"
export CHROMEDRIVER=/usr/bin/chromedriver

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
SECONDS=0

step "format"
cargo fmt --check

step "clippy (native, all targets)"
cargo clippy --all-targets --quiet -- -D warnings
step "clippy (wasm32)"
cargo clippy --target wasm32-unknown-unknown --lib --bins --test browser --test browser_aws --quiet -- -D warnings

# The MQTT 5 broker: mosquitto on loopback TCP, and the WebSocket pipe in
# front of it (dev-broker/mqtt5-pipe.mjs). Native tests reach it over TCP.
# Stopped when this script exits by a watcher (later steps set their own EXIT trap).
MOSQUITTO_LOG=$(mktemp)
PIPE_LOG=$(mktemp)
/usr/sbin/mosquitto -c dev-broker/mosquitto-test.conf >"$MOSQUITTO_LOG" 2>&1 &
MOSQUITTO_PID=$!
node dev-broker/mqtt5-pipe.mjs --ws-port 19831 --tcp-port 18831 >"$PIPE_LOG" 2>&1 &
PIPE_PID=$!
(tail --pid=$$ -f /dev/null; kill $MOSQUITTO_PID $PIPE_PID 2>/dev/null) &
for _ in $(seq 50); do grep -q ready "$PIPE_LOG" && (exec 3<>/dev/tcp/127.0.0.1/18831) 2>/dev/null && break; sleep 0.1; done
export MQTT_CONSOLE_MQTT5_TCP=127.0.0.1:18831

step "native tests"
cargo test --quiet

step "release build (trunk)"
trunk build --release
# The same build for a sub-path host (tests/e2e/hosting.test.mjs).
trunk build --release --public-url /mqtt-console/ --dist dist-subpath
# dist/ carries the production CSP. The AWS test reaches a plain-http
# Cognito stand-in on 127.0.0.1: it gets a copy whose CSP allows loopback.
rm -rf dist-test && cp -r dist dist-test
MQTT_CONSOLE_CSP_TEST_ORIGINS='http://127.0.0.1:* http://localhost:*' node scripts/csp-hook.mjs dist-test

BROKER_LOG=$(mktemp)
node dev-broker/broker.mjs --ws-port 19001 --tcp-port 11883 >"$BROKER_LOG" 2>&1 &
BROKER_PID=$!
trap 'kill $BROKER_PID 2>/dev/null || true' EXIT
for _ in $(seq 50); do grep -q ready "$BROKER_LOG" && break; sleep 0.1; done

step "wasm-bindgen tests in headless Chromium"
MQTT_CONSOLE_TEST_BROKER=ws://127.0.0.1:19001/mqtt \
  cargo test --target wasm32-unknown-unknown --test browser --test browser_aws

step "end-to-end tests of the built page in headless Chromium"
mapfile -t E2E < <(ls tests/e2e/*.test.mjs | grep -Ev '/aws(-depth)?\.test\.mjs$')
node --test --test-concurrency=1 "${E2E[@]}"
MQTT_CONSOLE_DIST="$PWD/dist-test" node --test --test-concurrency=1 tests/e2e/aws.test.mjs tests/e2e/aws-depth.test.mjs

step "example: headless device test (examples/headless-device-test)"
node --test --test-concurrency=1 examples/headless-device-test/

step "all tests passed in ${SECONDS}s"
