#!/usr/bin/env bash
# The whole server's peak memory while it imports a file at start: `serve
# --import FILE` into a fresh database, then VmHWM (peak resident set) once
# the first tile answers, and the seconds from process start to that tile.
# Figures go to benches/README.md by hand.
#
#   benches/load/peak.sh BINARY FILE [CONFIG]
#   e.g. benches/load/peak.sh target/release/impactmap /tmp/impactmap-peers/data/orgs-1m.csv benches/peers/impactmap.toml
set -euo pipefail
bin=$1
file=$2
config=${3:-}
port=${PORT:-8402}
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

start=$(date +%s.%N)
"$bin" serve --listen "127.0.0.1:$port" --db "$work/peak.db" ${config:+--config "$config"} --import "$file" >"$work/log" 2>&1 &
pid=$!
until curl -sf -o /dev/null "http://127.0.0.1:$port/tiles/0/0/0.mvt"; do
  kill -0 "$pid" 2>/dev/null || { echo "error: the server stopped:" >&2; cat "$work/log" >&2; exit 1; }
  sleep 0.2
done
end=$(date +%s.%N)
peak=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status")
echo "$(basename "$file"): peak RSS $((peak / 1024)) MB, first tile after $(awk "BEGIN { printf \"%.1f\", $end - $start }") s"
