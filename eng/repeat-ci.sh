#!/usr/bin/env bash
# Flake hunt: runs .ci/run N times (default 20), each on a fresh clone of this repository's HEAD in its own temp
# folder under the repository's parent, and prints one line per run and "green: G of N". A failing run's log is kept.
set -u
n=${1:-20}
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(cd "$repo/.." && pwd)"
green=0
for i in $(seq 1 "$n"); do
  dir=$(mktemp -d "$work/repeat-ci.XXXX")
  git clone -q "$repo" "$dir/repo"
  (cd "$dir/repo" && CI=true bash .ci/run > "$dir/out.log" 2>&1)
  rc=$?
  last=$(tail -1 "$dir/out.log")
  echo "run $i: rc=$rc $last"
  if [ $rc -eq 0 ] && echo "$last" | grep -q " 0 failed"; then
    green=$((green + 1))
    rm -rf "$dir"
  else
    grep -E '^\s+Failed ' "$dir/out.log" | head -5
    echo "  log kept: $dir/out.log"
  fi
done
echo "green: $green of $n"
