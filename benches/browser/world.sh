#!/usr/bin/env bash
# World view to first idle, impactmap against client-side GeoJSON clustering,
# at the shipped sample and at COUNT generated organisations (default 100000).
#
#   benches/browser/world.sh [COUNT ...]       e.g. benches/browser/world.sh 100000 1000000
set -euo pipefail
cd "$(dirname "$0")/../.."
counts=("${@:-100000}")
cargo build --release --locked -p impactmap
npm ci --prefix web --no-audit --no-fund --loglevel=error >/dev/null
bin=${CARGO_TARGET_DIR:-target}/release/impactmap
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

run() { # DB: serve it on a free port, measure, stop
  "$bin" serve --db "$1" --listen 127.0.0.1:0 2> "$work/log" &
  local pid=$!
  until grep -q "listening on" "$work/log"; do sleep 0.2; done
  local url
  url=$(grep -o "listening on http://[0-9.:]*" "$work/log" | cut -d' ' -f3)
  node benches/browser/world.mjs "$url" "${RUNS:-5}"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

run "$work/sample.db"    # an empty database: the 760 shipped sample organisations
for count in "${counts[@]}"; do
  "$bin" gen-sample --count "$count" --seed 1 -o "$work/orgs.csv"
  "$bin" import "$work/orgs.csv" --db "$work/$count.db" >/dev/null
  run "$work/$count.db"
done
