#!/usr/bin/env bash
# End-to-end benchmark of the default scenario (no charts), printed as rows
# of the table in docs/performance.md. Usage: bash benches/e2e.sh [RUNS...]
# (default 10000 100000); THREADS="1 2" chooses thread counts; BIN=path
# times another build (e.g. the binary before a change) instead of this one.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BIN:-target/release/tariffsim}
[ -n "${BIN:-}" ] || cargo build --release -q
runs=("${@:-10000 100000}")
threads=${THREADS:-"2"}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
echo "machine: $(nproc) cores ($cpu), $(free -g | awk '/Mem:/{print $2}') GiB; $(date -u +%Y-%m-%d)"
echo "| runs | threads | wall time (s) | runs/s | peak memory (MB) | ns per flow-month per core |"
echo "|---:|---:|---:|---:|---:|---:|"
for r in ${runs[@]}; do
  for t in $threads; do
    /usr/bin/time -f "%e %M" -o "$out/time" "$bin" run scenarios/london_framework.toml --runs "$r" --threads "$t" --seed 1 --no-charts --quiet --replace --out "$out/o" >/dev/null
    read -r wall kb < "$out/time"
    # 9 x 9 x 9 flows x 36 months per run.
    awk -v r="$r" -v t="$t" -v w="$wall" -v kb="$kb" 'BEGIN { printf "| %d | %d | %.1f | %.0f | %.0f | %.0f |\n", r, t, w, r / w, kb / 1024, w * t * 1e9 / (r * 729 * 36) }'
    sha256sum "$out/o/london-framework/summary.csv" | cut -c1-16 >> "$out/hashes"
  done
done
echo "summary.csv sha256 prefixes (equal for equal runs, any threads): $(sort -u "$out/hashes" | tr '\n' ' ')"
