#!/usr/bin/env bash
# bash test/loaded.sh [RUNS]: runs the whole suite (npm test) RUNS times in a row (default 3) while two busy loops
# keep both cores of the machine busy, to show that no test depends on the machine's speed. The loops are killed
# on exit, whatever happens. Exit 0 only when every run passed. Pass CI=true through for the peer-strict mode.
set -u
cd "$(dirname "$0")/.."
mkdir -p test-output
runs=${1:-3}
hogs=()
cleanup() { for p in "${hogs[@]}"; do kill "$p" 2>/dev/null; done; }
trap cleanup EXIT INT TERM
for _ in 1 2; do node -e 'for(;;){}' & hogs+=($!); done
echo "loaded: busy loops ${hogs[*]} on $(nproc) cores"
failed=0
for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  npm test >"test-output/loaded-run-$i.log" 2>&1; rc=$?
  echo "loaded: run $i/$runs rc=$rc in $(( $(date +%s) - start )) s: $(grep -E '^jest: ' "test-output/loaded-run-$i.log" | tail -n 1)"
  [ "$rc" -eq 0 ] || failed=1
done
exit $failed
