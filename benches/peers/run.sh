#!/usr/bin/env bash
# impactmap beside its peers in one run of the peers harness (see benches/README.md).
#
#   benches/peers/run.sh [HARNESS_DIR]     # default: ../shared/peers beside the checkout
#
# The harness is copied to $PEERS_WORK (default /tmp/impactmap-peers/harness; it
# is read-only where it is shared), its data generated, and its run.sh started
# with impactmap as the second target: a release `impactmap serve --import
# {csv}` per data set (config benches/peers/impactmap.toml: the harness's
# clustering parameters, no tile cache), its tiles limited to the `clusters`
# layer as the Node server's, and the viewer page. Then impactmap's in-process
# figures (benches/benches/peers.rs) go into the same result folder and the
# harness's report.mjs writes one table. SETS and ONLY are passed on
# (defaults "700 100k 1m" and "sc http browser").
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
harness=$(cd "${1:-$root/../shared/peers}" && pwd)
work=${PEERS_WORK:-/tmp/impactmap-peers/harness}
export ANCHORS_DATA=${ANCHORS_DATA:-/tmp/impactmap-peers/data}
export SETS=${SETS:-"700 100k 1m"}
export ONLY=${ONLY:-"sc http browser"}
export RUN_DIR=${RUN_DIR:-/tmp/impactmap-peers/out/results/run-$(date +%Y%m%d-%H%M%S)}
dbs=/tmp/impactmap-peers/db
mkdir -p "$work" "$dbs" "$RUN_DIR"

(cd "$root" && cargo build --release -p impactmap)
cp -r "$harness/." "$work/" && chmod -R u+w "$work"
(cd "$work" && { [ -d node_modules ] || npm ci --no-audit --no-fund; } && node gen-data.mjs --sets "$(echo "$SETS" | tr ' ' ',')")

# Each set gets its own database; --import of an unchanged file changes nothing.
(
  cd "$work"
  TARGET_NAME=impactmap \
    TARGET_START="${CARGO_TARGET_DIR:-$root/target}/release/impactmap serve --listen 127.0.0.1:{port} --db $dbs/{set}.db --config $root/benches/peers/impactmap.toml --import {csv}" \
    TARGET_TILES='http://127.0.0.1:{port}/tiles/{z}/{x}/{y}.mvt?layers=clusters' \
    TARGET_PAGE='http://127.0.0.1:{port}/' \
    ./run.sh
)

if [[ " $ONLY " == *" sc "* ]]; then
  (cd "$root" && PEERS_DIR=$work PEERS_OUT=$RUN_DIR PEERS_SETS=$(echo "$SETS" | tr ' ' ',') \
    cargo bench -p impactmap-benches --bench peers -- --noplot)
  (cd "$work" && node report.mjs "$RUN_DIR" > /dev/null)
fi
echo "report: $RUN_DIR/report.md" >&2
