#!/usr/bin/env bash
# Fill in the Kubernetes templates of this folder for one sharded command
# (run, compare, sweep or sensitivity) and print the manifests on standard
# output.
#
#   deploy/k8s/render.sh [job|merge|pvc|all|retry] --scenario FILE --runs R --seed S --shards N [options] [-- ARGS]
#
#   job     the Indexed Job of the shards (tariffsim-indexed-job.yaml), the default
#   merge   the merge Job (tariffsim-merge-job.yaml)
#   pvc     the shared volume claim (tariffsim-pvc.yaml)
#   all     the three, separated by ---
#   retry   a plain Job NAME-shard-K that reruns shard K alone (--index K), into
#           the same folder, for a shard whose index failed in the Indexed Job
#
# Required:
#   --scenario FILE      scenario path inside the image (relative to /opt/tariffsim);
#                        give it once per scenario for compare (at least twice)
#   --runs R             total runs over all shards
#   --seed S             seed (give it: shards and merge must agree on it)
#   --shards N           number of shards (Job completions)
# Options:
#   --command C          the sharded command: run (the default), compare, sweep or
#                        sensitivity; the merge Job is the same for all four
#   -- ARGS              everything after -- goes to the command as it is, after
#                        the options above (e.g. -- --param K --values 0,0.1 for
#                        sweep, -- --samples 256 for sensitivity)
#   --parallelism P      pods at once (default: N)
#   --months M           months (default: the scenario's)
#   --set K=V            override, repeatable
#   --per-run            shards write runs.csv, the merge concatenates it (run only)
#   --no-charts          the merge writes CSVs and manifest only
#   --name NAME          run name: Job names NAME-shards and NAME-merge, and the
#                        folder /data/NAME on the volume (default: tariffsim)
#   --image IMAGE        container image with tariffsim on PATH and the scenarios
#                        in /opt/tariffsim (default: tariffsim:latest; see Dockerfile)
#   --pvc NAME           ReadWriteMany claim mounted at /data (default: tariffsim-data)
#   --cpus C             CPUs requested per shard = threads (default: 2)
#   --memory-mb MB       memory request and limit per pod (default: 1024); the
#                        tool's aggregation budget (--max-memory-mb) is set to 2/5
#                        of it: peak memory is up to 2.5 times the tool's estimate
#
# Example:
#   deploy/k8s/render.sh all --scenario scenarios/london_framework.toml \
#       --runs 100000 --seed 42 --shards 20 --parallelism 10 --name lf-100k | kubectl apply -f -
#   deploy/k8s/render.sh all --command sweep --scenario scenarios/london_framework.toml \
#       --runs 20000 --seed 42 --shards 10 --name lf-sweep \
#       -- --param economies.US.multiplier --values 0.5,1,1.5 | kubectl apply -f -
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

fail() {
    echo "render.sh: error: $*" >&2
    exit 2
}

# A YAML double-quoted scalar.
quote() {
    local s=$1
    case $s in *$'\n'* | *$'\r'* | *$'\t'*) fail "value contains a control character: '$s'" ;; esac
    s=${s//\\/\\\\}
    s=${s//\"/\\\"}
    printf '"%s"' "$s"
}

what=job
case ${1:-} in
job | merge | pvc | all | retry) what=$1; shift ;;
-h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
esac

command=run runs='' seed='' shards='' parallelism='' months='' per_run='' no_charts='' index=''
name=tariffsim image=tariffsim:latest pvc=tariffsim-data cpus=2 memory_mb=1024
sets=() scenarios=() passthrough=()
while [ $# -gt 0 ]; do
    case $1 in
    --) shift; passthrough=("$@"); break ;;
    --command) command=${2?--command needs a value}; shift 2 ;;
    --scenario) scenarios+=("${2?--scenario needs a value}"); shift 2 ;;
    --runs) runs=${2?--runs needs a value}; shift 2 ;;
    --seed) seed=${2?--seed needs a value}; shift 2 ;;
    --shards) shards=${2?--shards needs a value}; shift 2 ;;
    --parallelism) parallelism=${2?--parallelism needs a value}; shift 2 ;;
    --months) months=${2?--months needs a value}; shift 2 ;;
    --set) sets+=("${2?--set needs a value}"); shift 2 ;;
    --per-run) per_run=1; shift ;;
    --no-charts) no_charts=1; shift ;;
    --name) name=${2?--name needs a value}; shift 2 ;;
    --image) image=${2?--image needs a value}; shift 2 ;;
    --pvc) pvc=${2?--pvc needs a value}; shift 2 ;;
    --cpus) cpus=${2?--cpus needs a value}; shift 2 ;;
    --memory-mb) memory_mb=${2?--memory-mb needs a value}; shift 2 ;;
    --index) index=${2?--index needs a value}; shift 2 ;;
    *) fail "unknown argument '$1' (try --help)" ;;
    esac
done

posint() { [[ $2 =~ ^[1-9][0-9]{0,8}$ ]] || fail "$1 must be a positive integer, got '$2'"; }
if [ "$what" != pvc ]; then
    case $command in
    run | sweep | sensitivity)
        [ ${#scenarios[@]} -eq 1 ] || fail "$command takes one --scenario, got ${#scenarios[@]}" ;;
    compare)
        [ ${#scenarios[@]} -ge 2 ] || fail "compare takes at least two --scenario, got ${#scenarios[@]}" ;;
    *) fail "--command must be run, compare, sweep or sensitivity, got '$command'" ;;
    esac
    [ -z "$per_run" ] || [ "$command" = run ] || fail "--per-run is for run only, not $command"
    posint --runs "$runs"
    posint --shards "$shards"
    [[ $seed =~ ^[0-9]{1,19}$ ]] || fail "--seed must be a non-negative integer, got '$seed'"
    [ -n "$parallelism" ] || parallelism=$shards
    posint --parallelism "$parallelism"
    [ -z "$months" ] || posint --months "$months"
    posint --cpus "$cpus"
    posint --memory-mb "$memory_mb"
    [ "$memory_mb" -ge 64 ] || fail "--memory-mb $memory_mb is too small (at least 64)"
    [ "$shards" -le "$runs" ] || fail "$shards shards for $runs runs: some shards would have no runs"
    [ "$parallelism" -le "$shards" ] || parallelism=$shards
    [ -n "$image" ] || fail "--image must not be empty"
fi
if [ "$what" = retry ]; then
    if ! [[ $index =~ ^[0-9]{1,9}$ ]] || [ "$index" -ge "$shards" ]; then
        fail "retry needs --index K with K in 0..$((shards - 1)), got '$index'"
    fi
elif [ -n "$index" ]; then
    fail "--index is only for retry"
fi
# Job names become pod host names with the index appended: keep them short.
[[ $name =~ ^[a-z0-9]([-a-z0-9]{0,38}[a-z0-9])?$ ]] ||
    fail "--name must be lower-case letters, digits and '-', at most 40 characters, starting and ending with a letter or digit; got '$name'"
[[ $pvc =~ ^[a-z0-9]([-.a-z0-9]{0,251}[a-z0-9])?$ ]] || fail "--pvc is not a valid claim name: '$pvc'"

# Arguments between the seed and --threads in the shard command.
extra=()
[ -z "$months" ] || extra+=(--months "$months")
for s in "${sets[@]}"; do extra+=(--set "$s"); done
[ -z "$per_run" ] || extra+=(--per-run)
extra+=("${passthrough[@]}")
merge_flags=
[ -z "$no_charts" ] || merge_flags=--no-charts

# shellcheck disable=SC2016 # the '${...}' placeholders are literal text
render() { # template file
    local line indent a header=1
    printf '# Rendered by deploy/k8s/render.sh from deploy/k8s/%s\n' "$(basename "$1")"
    while IFS= read -r line || [ -n "$line" ]; do
        # The template's opening comment is about the template: dropped.
        if [ "$header" = 1 ]; then
            [[ $line == '#'* ]] && continue
            header=0
        fi
        if [[ $line =~ ^([[:space:]]*)-\ \$\{(EXTRA_ARGS|SCENARIOS)\}$ ]]; then
            indent=${BASH_REMATCH[1]}
            if [ "${BASH_REMATCH[2]}" = SCENARIOS ]; then
                for a in "${scenarios[@]}"; do
                    printf '%s- %s\n' "$indent" "$(quote "$a")"
                done
            else
                for a in "${extra[@]}"; do
                    printf '%s- %s\n' "$indent" "$(quote "$a")"
                done
            fi
            continue
        fi
        line=${line//'${NAME}'/"$name"}
        line=${line//'${IMAGE}'/"$(quote "$image")"}
        line=${line//'${COMMAND}'/"$command"}
        line=${line//'${RUNS}'/"$runs"}
        line=${line//'${SEED}'/"$seed"}
        line=${line//'${SHARDS}'/"$shards"}
        line=${line//'${PARALLELISM}'/"$parallelism"}
        line=${line//'${CPUS}'/"$cpus"}
        line=${line//'${MEMORY_MB}'/"$memory_mb"}
        line=${line//'${MAX_MEMORY_MB}'/"$((memory_mb * 2 / 5))"}
        line=${line//'${PVC}'/"$pvc"}
        line=${line//'${MERGE_FLAGS}'/"$merge_flags"}
        [[ $line != *'${'* ]] || fail "$1: placeholder left unfilled in: $line"
        if [ "$what" = retry ]; then
            # One shard, as a plain Job: the index is given, not taken from
            # JOB_COMPLETION_INDEX.
            case $line in
            *'completionMode: Indexed') continue ;;
            *"name: $name-shards") line=${line%-shards}-shard-$index ;;
            *'completions: '*) line=${line%%completions:*}'completions: 1' ;;
            *'parallelism: '*) line=${line%%parallelism:*}'parallelism: 1' ;;
            *'backoffLimitPerIndex: '*) line=${line/backoffLimitPerIndex/backoffLimit} ;;
            *"- auto/$shards") line=${line%%-*}"- $index/$shards" ;;
            esac
        fi
        printf '%s\n' "$line"
    done <"$1"
}

case $what in
job | retry) render "$here/tariffsim-indexed-job.yaml" ;;
merge) render "$here/tariffsim-merge-job.yaml" ;;
pvc) render "$here/tariffsim-pvc.yaml" ;;
all)
    render "$here/tariffsim-pvc.yaml"
    echo ---
    render "$here/tariffsim-indexed-job.yaml"
    echo ---
    render "$here/tariffsim-merge-job.yaml"
    ;;
esac
