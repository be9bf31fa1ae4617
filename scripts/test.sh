#!/bin/bash
# `npm test` after the build: the unit tests run alongside the integration tests.
#
# Integration tests (dist/test/integration/) take turns, one file at a time:
# they change machine-global state (binfmt_misc, podman storage and its hook
# configuration) and hold the binfmt test lock for it. Unit tests
# (dist/test/unit/) are pure — fakes and temp dirs, nothing machine-global — so
# they run at the same time in a second `node --test`; their report is printed
# after the integration tests' one. Either failing fails the run.
set -uo pipefail
cd "$(dirname "$0")/.."

unit_log=$(mktemp "${TMPDIR:-/tmp}/fexpod-unit-tests.XXXXXX")
node --test --test-concurrency=1 dist/test/unit/ >"$unit_log" 2>&1 &
unit_pid=$!
trap 'kill "$unit_pid" 2>/dev/null; rm -f "$unit_log"' EXIT

node --test --test-concurrency=1 dist/test/integration/
integration_rc=$?
wait "$unit_pid"
unit_rc=$?

echo "# ---- unit tests (ran alongside the integration tests) ----"
cat "$unit_log"
echo "# integration tests: exit $integration_rc; unit tests: exit $unit_rc"
[ "$integration_rc" = 0 ] && [ "$unit_rc" = 0 ]
