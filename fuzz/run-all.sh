#!/usr/bin/env bash
# Builds every fuzz target and runs each for SECONDS (600 by default), one after the other,
# from the seeded corpus (see seed.sh). A crash, out-of-memory or timeout leaves its input in
# fuzz/artifacts/<target>/; the run goes on with the next target and fails at the end.
#
#   fuzz/run-all.sh          # ten minutes per target
#   fuzz/run-all.sh 30       # thirty seconds per target
#   TARGETS="jwt cache_file" fuzz/run-all.sh 60
#
# cargo-fuzz needs nightly compiler flags: on a stable toolchain RUSTC_BOOTSTRAP=1 allows them
# (install the tool with `cargo install cargo-fuzz`).
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
export RUSTC_BOOTSTRAP=1
[ -d corpus ] || ./seed.sh > /dev/null
targets=${TARGETS:-$(cargo fuzz list)}
cargo fuzz build -O
crashed=()
for target in $targets; do
  echo "== $target: $seconds s"
  mkdir -p "corpus/$target"
  cargo fuzz run -O "$target" "corpus/$target" -- -max_total_time="$seconds" -rss_limit_mb=2048 \
    -print_final_stats=1 2>&1 | grep -E '^(stat::number_of_executed_units|stat::new_units_added|Done )|SUMMARY|panicked|ERROR' || true
  if compgen -G "artifacts/$target/crash-*" > /dev/null || compgen -G "artifacts/$target/oom-*" > /dev/null \
    || compgen -G "artifacts/$target/timeout-*" > /dev/null; then
    crashed+=("$target")
  fi
done
if [ ${#crashed[@]} -gt 0 ]; then
  echo "failing inputs found for: ${crashed[*]} (see fuzz/artifacts/<target>/)" >&2
  exit 1
fi
echo "no failing input in $(echo $targets | wc -w) targets"
