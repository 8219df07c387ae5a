#!/usr/bin/env bash
# HTTP load on 127.0.0.1: the same 51 populated tiles (z0-14), uncached
# (cache_mb = 0, every tile made per request) and cached (warm), plain and
# with Accept-Encoding: gzip. Figures go to benches/README.md by hand.
#
#   benches/load/tiles.sh [COUNT] [DURATION]      e.g. benches/load/tiles.sh 100000 60s
set -euo pipefail
cd "$(dirname "$0")/../.."

count=${1:-100000}
duration=${2:-60s}
connections=${CONNECTIONS:-4}
threads=${THREADS:-2}

if ! command -v wrk >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk >/dev/null; else echo "error: wrk is missing (apt-get install wrk)" >&2; exit 1; fi
fi

cargo build --release --locked -p impactmap
bin=${CARGO_TARGET_DIR:-target}/release/impactmap
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

"$bin" gen-sample --count "$count" --seed 1 -o "$work/orgs.csv"
"$bin" import "$work/orgs.csv" --db "$work/map.db" >/dev/null

# The tile of every 10th organisation, zooms 0 to 14 in turn.
python3 - "$work/orgs.csv" > "$work/tiles.txt" <<'PY'
import csv, math, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
for i in range(51):
    r = rows[i * 10 % len(rows)]
    lon, lat, z = float(r["lon"]), float(r["lat"]), i % 15
    n = 2 ** z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.log(math.tan(math.radians(lat)) + 1 / math.cos(math.radians(lat))) / math.pi) / 2 * n)
    print(f"/tiles/{z}/{min(x, n - 1)}/{min(y, n - 1)}.mvt")
PY
sed 's/$/?layers=clusters/' "$work/tiles.txt" > "$work/tiles-clusters.txt"

run() { # name cache_mb list [header]
  local name=$1 cache=$2 list=$3 header=${4:-}
  printf '[tiles]\ncache_mb = %s\n' "$cache" > "$work/config.toml"
  "$bin" serve --listen 127.0.0.1:18181 --db "$work/map.db" --config "$work/config.toml" 2>"$work/serve.log" &
  local pid=$!
  for _ in $(seq 100); do curl -sf 127.0.0.1:18181/healthz >/dev/null 2>&1 && break; sleep 0.2; done
  # One pass to warm the cache (it changes nothing when cache_mb = 0).
  while read -r path; do curl -s -o /dev/null "127.0.0.1:18181$path"; done < "$work/$list"
  local args=(-t"$threads" -c"$connections" -d"$duration" -s "benches/load/tiles.lua")
  [ -n "$header" ] && args+=(-H "$header")
  echo "== $name ($count organisations, $connections connections, $duration)"
  TILES_FILE="$work/$list" wrk "${args[@]}" http://127.0.0.1:18181 | grep '^result:'
  kill "$pid"; wait "$pid" 2>/dev/null || true
  if grep -E ' (WARN|ERROR) |panicked' "$work/serve.log"; then echo "error: the server logged problems" >&2; exit 1; fi
}

run "clusters layer, uncached" 0 tiles-clusters.txt
run "clusters layer, cached" 256 tiles-clusters.txt
run "clusters layer, cached, gzip" 256 tiles-clusters.txt "Accept-Encoding: gzip"
run "all layers, uncached" 0 tiles.txt
run "all layers, cached" 256 tiles.txt
run "all layers, cached, gzip" 256 tiles.txt "Accept-Encoding: gzip"

# The researcher API: latency of single requests (one connection).
api() { # name path
  printf '[tiles]\ncache_mb = 256\n' > "$work/config.toml"
  "$bin" serve --listen 127.0.0.1:18181 --db "$work/map.db" --config "$work/config.toml" 2>"$work/serve.log" &
  local pid=$!
  for _ in $(seq 100); do curl -sf 127.0.0.1:18181/healthz >/dev/null 2>&1 && break; sleep 0.2; done
  echo "$2" > "$work/api.txt"
  echo "== API $1 ($count organisations, 1 connection, 10s)"
  TILES_FILE="$work/api.txt" wrk -t1 -c1 -d10s -s benches/load/tiles.lua http://127.0.0.1:18181 | grep '^result:'
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

api "near k=20" "/api/near?lat=14.69&lon=-17.44&k=20"
api "stats by continent,sector" "/api/stats?by=continent,sector"
api "OGC page of 1000" "/ogc/collections/organisations/items?limit=1000&offset=5000"
