#!/usr/bin/env bash
# The full-size figures of issue 13: 5,000 messages of 1.1 MiB (over the
# 1 MiB display limit, skipped) and 5,000 of 1 MiB - 1 KB (stored), plus the
# 300 MiB frame, through the real page in headless Chromium. Runs the same
# tests as tests/e2e/oversize.test.mjs at full size and prints their figures
# (wasm memory, live wasm heap, long tasks). Needs a built dist/.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/env.sh
OVERSIZE_COUNT="${OVERSIZE_COUNT:-5000}" node --test --test-concurrency=1 \
  --test-name-pattern="messages of|300 MiB" tests/e2e/oversize.test.mjs 2>&1 \
  | grep -E "MiB on|MiB frame,|^# (pass|fail)|^not ok"
