#!/usr/bin/env bash
# Runs the integration suite RUNS times in a row (default 10) while another process keeps one core busy,
# as CI's machine may be; prints each run's result and the count. Usage: npm run test:soak [-- RUNS [jest args]]
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
shift || true
logs=$(mktemp -d /tmp/kubeop-soak.XXXXXX)

yes > /dev/null &
busy=$!
trap 'kill $busy 2>/dev/null' EXIT

passed=0
failed=0
for i in $(seq 1 "$runs"); do
  started=$(date +%s)
  # A run that hangs (jest kept alive by a leaked handle) counts as a failure, not as a stuck soak.
  if timeout 1500 npm run --silent test:integration -- "$@" > "$logs/run-$i.log" 2>&1; then
    passed=$((passed + 1)); outcome=passed
  else
    failed=$((failed + 1)); outcome="FAILED (log: $logs/run-$i.log)"
  fi
  echo "soak run $i/$runs: $outcome in $(( $(date +%s) - started )) s"
done
echo "soak: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
