#!/usr/bin/env bash
# Installs what building and running mqtt-console needs, skipping whatever is
# already present at the right version. Safe to run again and again.
#   scripts/setup.sh          build tools + broker
#   scripts/setup.sh --test   also Chromium + chromedriver for the tests
# Everything comes from the package registries (crates.io, npm, apt); Trunk
# is configured (Trunk.toml) never to download anything itself.
set -euo pipefail
cd "$(dirname "$0")/.."

TRUNK_VERSION=0.21.14 # 0.22 needs rustc >= 1.96.1
WASM_BINDGEN_VERSION=$(grep -A1 '^name = "wasm-bindgen"$' Cargo.lock | sed -n 's/^version = "\(.*\)"/\1/p')

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding the wasm32-unknown-unknown target"
  rustup target add wasm32-unknown-unknown
fi

if [ "$(trunk --version 2>/dev/null)" != "trunk $TRUNK_VERSION" ]; then
  # --debug: trunk only orchestrates the build, and an unoptimised build of
  # it installs in about a third of the time (~6 min instead of 15-25).
  log "installing trunk $TRUNK_VERSION (a few minutes, once)"
  cargo install trunk --locked --version "$TRUNK_VERSION" --debug
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  # Not --locked: its lockfile wants a webpki-roots the registry mirror lacks.
  log "installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (same as Cargo.lock; ~5 min, once)"
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi

if [ ! -x node_modules/.bin/wasm-opt ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing npm packages (aedes broker, binaryen wasm-opt, test tools)"
  npm ci --no-audit --no-fund
fi

if [ "${1:-}" = "--test" ] && ! { [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; }; then
  log "installing Debian chromium + chromium-driver"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y chromium chromium-driver || {
    $SUDO apt-get update && $SUDO apt-get install -y chromium chromium-driver
  }
fi

# The MQTT 5 broker for the tests: Debian's mosquitto (no WebSocket listener;
# dev-broker/mqtt5-pipe.mjs fronts it), with mosquitto_pub/sub as outside clients.
if [ "${1:-}" = "--test" ] && ! { [ -x /usr/sbin/mosquitto ] && [ -x /usr/bin/mosquitto_sub ]; }; then
  log "installing Debian mosquitto + mosquitto-clients (MQTT 5 broker for the tests)"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y mosquitto mosquitto-clients || {
    $SUDO apt-get update && $SUDO apt-get install -y mosquitto mosquitto-clients
  }
fi

# The second broker for the cross-broker tests (amqtt, from PyPI).
AMQTT_VENV="$HOME/.cache/mqtt-console/venv-amqtt"
amqtt_version() { "$AMQTT_VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("amqtt"))' 2>/dev/null; }
if [ "${1:-}" = "--test" ] && [ "$(amqtt_version)" != "0.12.1" ]; then
  log "installing amqtt 0.12.1 (second broker for the tests) into $AMQTT_VENV"
  python3 -m venv "$AMQTT_VENV"
  "$AMQTT_VENV/bin/pip" install --quiet amqtt==0.12.1
fi

# The AWS tests' fixtures (tests/e2e/aws.test.mjs): botocore (the independent
# SigV4 implementation) and websockets for the gateway, moto's Cognito server.
# awscrt: the Device SDKs' signer, for URLs without X-Amz-Expires (and the
# vector script tests/fixtures/aws_crt_vectors.py).
AWS_VENV="$HOME/.cache/mqtt-console/venv-aws"
AWS_PACKAGES="moto==5.2.5 botocore==1.44.8 flask==3.1.3 flask-cors==6.0.5 websockets==17.4 awscrt==0.38.1"
if [ "${1:-}" = "--test" ] && [ "$(cat "$AWS_VENV/.installed" 2>/dev/null)" != "$AWS_PACKAGES" ]; then
  log "installing $AWS_PACKAGES into $AWS_VENV (~1.5 min, once)"
  python3 -m venv "$AWS_VENV"
  # shellcheck disable=SC2086 # one word per package
  "$AWS_VENV/bin/pip" install --quiet --disable-pip-version-check $AWS_PACKAGES
  echo "$AWS_PACKAGES" >"$AWS_VENV/.installed"
fi

# Dependencies are fetched once here; Trunk runs cargo with --offline.
cargo fetch --quiet
