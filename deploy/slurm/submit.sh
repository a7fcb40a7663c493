#!/usr/bin/env bash
# Submit a sharded tariffsim run to Slurm: a job array with one task per
# shard, then the merge job, which waits for the whole array
# (--dependency=afterok:<array job>) and is cancelled if any shard fails
# (--kill-on-invalid-dep=yes).
#
#   deploy/slurm/submit.sh --scenario scenarios/london_framework.toml \
#       --shards 8 --runs 100000 --seed 42 --out /shared/tariffsim/lf-100k \
#       --cpus-per-task 4 --mem 2G --time 00:30:00
#
# Rerun failed shards (and the merge) into the same folder:
#
#   deploy/slurm/submit.sh <same options> --indices 2,5
#
# A sharded comparison instead (every shard runs the same block of runs of
# every scenario; the merge writes DIR/compare-A-vs-B/):
#
#   deploy/slurm/submit.sh --scenario scenarios/london_framework.toml \
#       --compare scenarios/escalation.toml --shards 8 --runs 100000 --out DIR
#
# Options (environment form in brackets; options win):
#   --scenario FILE     scenario file on a path every node can read    [TARIFFSIM_SCENARIO]
#   --compare FILE      compare --scenario (the reference) with FILE: `tariffsim
#                       compare` instead of `run`; repeatable for more scenarios
#   --shards N          number of shards                               [TARIFFSIM_SHARDS]
#   --out DIR           shared output folder: shards in DIR/shards/, merged
#                       results in DIR/<scenario name>/, logs in DIR/logs/ [TARIFFSIM_OUT]
#   --runs R            total runs over all shards                     [TARIFFSIM_RUNS]
#   --seed S            seed                                           [TARIFFSIM_SEED]
#   --months M          months                                         [TARIFFSIM_MONTHS]
#   --set K=V           override, repeatable
#   --per-run           shards write runs.csv, the merge concatenates it [TARIFFSIM_PER_RUN=1]
#   --no-charts         the merge writes no charts or report           [TARIFFSIM_NO_CHARTS=1]
#   --indices LIST      array indices to submit (default 0-(N-1)), e.g. 2 or 2,5
#   --parallel P        at most P shards at once (array throttle %P)   [TARIFFSIM_PARALLEL]
#   --bin PATH          tariffsim binary on the nodes (default: tariffsim on PATH) [TARIFFSIM_BIN]
#   --cpus-per-task C   CPUs (= threads) per shard                     [TARIFFSIM_CPUS_PER_TASK]
#   --mem SIZE          memory per shard, e.g. 2G                      [TARIFFSIM_MEM]
#   --time T            time limit per shard, e.g. 00:30:00            [TARIFFSIM_TIME]
#   --merge-mem SIZE    memory of the merge job                        [TARIFFSIM_MERGE_MEM]
#   --merge-time T      time limit of the merge job                    [TARIFFSIM_MERGE_TIME]
#   --partition P       partition of both jobs                         [TARIFFSIM_PARTITION]
#   -- ARGS...          further sbatch options for both jobs
#
# Prints, on standard output, the two job ids as shell assignments:
#   ARRAY_JOB_ID=123
#   MERGE_JOB_ID=124
# and a human-readable line on standard error.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

fail() {
    echo "submit.sh: error: $*" >&2
    exit 2
}

scenario=${TARIFFSIM_SCENARIO:-}
shards=${TARIFFSIM_SHARDS:-}
out=${TARIFFSIM_OUT:-}
runs=${TARIFFSIM_RUNS:-}
seed=${TARIFFSIM_SEED:-}
months=${TARIFFSIM_MONTHS:-}
per_run=${TARIFFSIM_PER_RUN:-}
no_charts=${TARIFFSIM_NO_CHARTS:-}
indices=
parallel=${TARIFFSIM_PARALLEL:-}
bin=${TARIFFSIM_BIN:-}
cpus=${TARIFFSIM_CPUS_PER_TASK:-}
mem=${TARIFFSIM_MEM:-}
time_limit=${TARIFFSIM_TIME:-}
merge_mem=${TARIFFSIM_MERGE_MEM:-}
merge_time=${TARIFFSIM_MERGE_TIME:-}
partition=${TARIFFSIM_PARTITION:-}
sets=()
compare=()
extra=()

while [ $# -gt 0 ]; do
    case $1 in
    --scenario) scenario=${2?--scenario needs a value}; shift 2 ;;
    --compare) compare+=("${2?--compare needs a value}"); shift 2 ;;
    --shards) shards=${2?--shards needs a value}; shift 2 ;;
    --out) out=${2?--out needs a value}; shift 2 ;;
    --runs) runs=${2?--runs needs a value}; shift 2 ;;
    --seed) seed=${2?--seed needs a value}; shift 2 ;;
    --months) months=${2?--months needs a value}; shift 2 ;;
    --set) sets+=(--set "${2?--set needs a value}"); shift 2 ;;
    --per-run) per_run=1; shift ;;
    --no-charts) no_charts=1; shift ;;
    --indices) indices=${2?--indices needs a value}; shift 2 ;;
    --parallel) parallel=${2?--parallel needs a value}; shift 2 ;;
    --bin) bin=${2?--bin needs a value}; shift 2 ;;
    --cpus-per-task) cpus=${2?--cpus-per-task needs a value}; shift 2 ;;
    --mem) mem=${2?--mem needs a value}; shift 2 ;;
    --time) time_limit=${2?--time needs a value}; shift 2 ;;
    --merge-mem) merge_mem=${2?--merge-mem needs a value}; shift 2 ;;
    --merge-time) merge_time=${2?--merge-time needs a value}; shift 2 ;;
    --partition) partition=${2?--partition needs a value}; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) fail "unknown option '$1' (try --help)" ;;
    esac
done

[ -n "$scenario" ] || fail "no scenario: give --scenario FILE or set TARIFFSIM_SCENARIO"
[ -f "$scenario" ] || fail "scenario file '$scenario' not found"
for f in "${compare[@]}"; do
    [ -f "$f" ] || fail "scenario file '$f' (--compare) not found"
done
if [ ${#compare[@]} -gt 0 ] && [ -n "$per_run" ] && [ "$per_run" != 0 ]; then
    fail "--per-run is an option of a run, not of a comparison; drop it or --compare"
fi
[ -n "$out" ] || fail "no output folder: give --out DIR (on a filesystem shared by all nodes) or set TARIFFSIM_OUT"
[[ $shards =~ ^[1-9][0-9]*$ ]] || fail "the shard count must be a positive integer (--shards N or TARIFFSIM_SHARDS), got '$shards'"
[ -z "$runs" ] || [[ $runs =~ ^[1-9][0-9]*$ ]] || fail "--runs must be a positive integer, got '$runs'"
[ -z "$parallel" ] || [[ $parallel =~ ^[1-9][0-9]*$ ]] || fail "--parallel must be a positive integer, got '$parallel'"
if [ -n "$runs" ] && [ "$shards" -gt "$runs" ]; then
    fail "$shards shards for $runs runs: some shards would have no runs; use at most $runs shards"
fi
command -v sbatch >/dev/null || fail "sbatch not found: run this on a Slurm login node"

# Absolute paths, so that the jobs find everything whatever their working
# folder (the folders must be on a filesystem that every node sees).
scenario=$(realpath "$scenario")
mkdir -p "$out/shards" "$out/logs"
out=$(realpath "$out")
if [ -n "$bin" ] && [[ $bin == */* ]]; then
    bin=$(realpath "$bin")
fi
[ -n "$indices" ] || indices="0-$((shards - 1))"
array=$indices
[ -z "$parallel" ] || array="$array%$parallel"

common=()
[ -z "$partition" ] || common+=(--partition "$partition")
common+=("${extra[@]}")

job_args=(--scenario "$scenario" --shards "$shards" --out "$out")
for f in "${compare[@]}"; do
    job_args+=(--compare "$(realpath "$f")")
done
[ -z "$runs" ] || job_args+=(--runs "$runs")
[ -z "$seed" ] || job_args+=(--seed "$seed")
[ -z "$months" ] || job_args+=(--months "$months")
job_args+=("${sets[@]}")
[ -z "$per_run" ] || [ "$per_run" = 0 ] || job_args+=(--per-run)
[ -z "$bin" ] || job_args+=(--bin "$bin")

array_opts=(--parsable --array="$array" --output="$out/logs/shard-%A_%a.out" "${common[@]}")
[ -z "$cpus" ] || array_opts+=(--cpus-per-task="$cpus")
[ -z "$mem" ] || array_opts+=(--mem="$mem")
[ -z "$time_limit" ] || array_opts+=(--time="$time_limit")

array_id=$(sbatch "${array_opts[@]}" "$here/tariffsim-array.sbatch" "${job_args[@]}")
array_id=${array_id%%;*} # "id;cluster" on multi-cluster setups
[[ $array_id =~ ^[0-9]+$ ]] || fail "sbatch did not return a job id for the array: '$array_id'"

merge_args=(--shards "$shards" --out "$out")
[ -z "$no_charts" ] || [ "$no_charts" = 0 ] || merge_args+=(--no-charts)
[ -z "$bin" ] || merge_args+=(--bin "$bin")
merge_opts=(--parsable --dependency="afterok:$array_id" --kill-on-invalid-dep=yes
    --output="$out/logs/merge-%j.out" "${common[@]}")
[ -z "$merge_mem" ] || merge_opts+=(--mem="$merge_mem")
[ -z "$merge_time" ] || merge_opts+=(--time="$merge_time")

if ! merge_id=$(sbatch "${merge_opts[@]}" "$here/tariffsim-merge.sbatch" "${merge_args[@]}"); then
    echo "submit.sh: the merge job could not be submitted; the array $array_id is running: submit the merge after it with" >&2
    echo "  sbatch --dependency=afterok:$array_id --kill-on-invalid-dep=yes $here/tariffsim-merge.sbatch ${merge_args[*]}" >&2
    exit 1
fi
merge_id=${merge_id%%;*}

echo "submit.sh: array job $array_id (indices $array of $shards shards) and merge job $merge_id; shards in $out/shards, results in $out, logs in $out/logs" >&2
echo "ARRAY_JOB_ID=$array_id"
echo "MERGE_JOB_ID=$merge_id"
