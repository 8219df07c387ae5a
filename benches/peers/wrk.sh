#!/usr/bin/env bash
# The same client for both tile servers: wrk on 127.0.0.1 over the harness's
# 51 tiles, against the Node supercluster server (the harness's serve.mjs,
# tiles made per request) and impactmap with its tile cache off, then
# impactmap cached, plain and gzip. One connection gives the latency of one
# request at a time; four connections the throughput. Prints a Markdown table.
#
#   benches/peers/wrk.sh            # after benches/peers/run.sh (it needs the harness copy and databases)
#
# SETS (default "700 100k 1m"), DURATION (default 15s), PEERS_WORK as in run.sh.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${PEERS_WORK:-/tmp/impactmap-peers/harness}
export ANCHORS_DATA=${ANCHORS_DATA:-/tmp/impactmap-peers/data}
dbs=/tmp/impactmap-peers/db
duration=${DURATION:-15s}
bin=${CARGO_TARGET_DIR:-$root/target}/release/impactmap
if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk >/dev/null; else echo "error: wrk is missing (apt-get install wrk)" >&2; exit 1; fi
fi
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT
node -e 'for (const t of require(process.argv[1]).tiles) console.log(`/tiles/${t.z}/${t.x}/${t.y}.mvt`)' "$work/tiles.json" > "$tmp/node.txt"
sed 's/$/?layers=clusters/' "$tmp/node.txt" > "$tmp/impactmap.txt"

wait_for() { for _ in $(seq 1500); do curl -s -o /dev/null "http://$1/tiles/0/0/0.mvt" && return 0; sleep 0.2; done; echo "no server at $1" >&2; exit 1; }
load() { # label address list connections [header]
  local args=(-t"$(( $4 > 1 ? 2 : 1 ))" -c"$4" -d"$duration" -s "$root/benches/load/tiles.lua")
  [ -n "${5:-}" ] && args+=(-H "$5")
  local line
  line=$(TILES_FILE="$tmp/$3" wrk "${args[@]}" "http://$2" | grep '^result:')
  echo "$line" | grep -q 'errors=0 ' || { echo "errors in $1: $line" >&2; exit 1; }
  echo "| $1 | $4 | $(echo "$line" | sed -E 's/.*rps=([0-9]+) p50_us=([0-9]+) p99_us=([0-9]+).*/\1 | \2 | \3/') |"
}
impactmap() { # set config
  "$bin" serve --listen 127.0.0.1:18282 --db "$dbs/$1.db" --config "$2" --import "$ANCHORS_DATA/orgs-$1.csv" > "$tmp/impactmap.log" 2>&1 &
  echo $! > "$tmp/impactmap.pid"
  wait_for 127.0.0.1:18282
  while read -r p; do curl -s -o /dev/null "http://127.0.0.1:18282$p"; done < "$tmp/impactmap.txt"
}
stop_impactmap() { kill "$(cat "$tmp/impactmap.pid")"; wait "$(cat "$tmp/impactmap.pid")" 2>/dev/null || true; }

echo "| server | connections | req/s | p50 µs | p99 µs |"
echo "|---|---|---|---|---|"
for set in ${SETS:-700 100k 1m}; do
  echo "| **$set** | | | | |"
  (cd "$work" && exec node --max-old-space-size=8192 serve.mjs --port 18181 --ttl 900 --set "$set") > "$tmp/node.log" 2>&1 &
  node_pid=$!
  wait_for 127.0.0.1:18181
  for c in 1 4; do load "Node supercluster + vt-pbf, per request" 127.0.0.1:18181 node.txt "$c"; done
  kill "$node_pid"; wait "$node_pid" 2>/dev/null || true

  impactmap "$set" "$root/benches/peers/impactmap.toml"
  for c in 1 4; do load "impactmap, per request (cache off)" 127.0.0.1:18282 impactmap.txt "$c"; done
  stop_impactmap
  sed 's/^cache_mb = 0/cache_mb = 256/' "$root/benches/peers/impactmap.toml" > "$tmp/cached.toml"
  impactmap "$set" "$tmp/cached.toml"
  load "impactmap, cached" 127.0.0.1:18282 impactmap.txt 4
  load "impactmap, cached, Accept-Encoding: gzip" 127.0.0.1:18282 impactmap.txt 4 "Accept-Encoding: gzip"
  stop_impactmap
done
