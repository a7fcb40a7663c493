#!/usr/bin/env bash
# Sharded runs on a real (one-node) Slurm cluster, end to end.
#
# Starts munged, slurmctld and slurmd on this machine (installing the Debian
# packages if needed), then, through deploy/slurm/submit.sh:
#   1. a 4-task array of a small scenario plus the dependent merge job; the
#      merged CSVs must be byte-identical to an unsharded `tariffsim run`;
#   2. the same with task 2 failing on purpose: the merge job must be
#      cancelled (--kill-on-invalid-dep=yes) without running, and
#      `tariffsim merge` by hand on the 3 shards must refuse (exit 2) naming
#      the missing one;
#   3. the documented recovery: resubmit index 2 alone into the same folder,
#      then the merge; the result must again be byte-identical;
#   4. a sharded comparison (submit.sh --compare): a 3-task array of
#      `tariffsim compare` shards plus the merge; comparison.csv and
#      results.xlsx must be byte-identical to an unsharded `tariffsim compare`.
# Everything it starts is stopped by process id on exit, pass or fail.
#
# Needs: root, Debian 12 (apt-get reaches Debian's packages), and
# target/release/tariffsim built beforehand (.ci/run builds it; this script
# builds nothing). Variables: SLURM_TEST_KEEP=1 keeps the work folder,
# SLURM_TEST_CTLD_PORT / SLURM_TEST_SLURMD_PORT choose the daemons' ports.
set -euo pipefail
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"
export LC_ALL=C

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bin=$root/target/release/tariffsim
submit=$root/deploy/slurm/submit.sh
t0=$(date +%s.%N)

elapsed() { awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
log() { echo "slurm-test: $* [$(elapsed) s]"; }
die() {
    echo "slurm-test: FAILED: $* [$(elapsed) s]" >&2
    exit 1
}

# Scenario of the test: small enough for a few seconds per job.
scenario=scenarios/london_framework.toml
runs=400
months=12
seed=20250611
shards=4
fail_index=2
compared=(summary.csv final.csv events.csv sensitivity.csv runs.csv)
# The sharded comparison: the scenario against this one, in 3 shards.
compare_with=scenarios/escalation.toml
compare_runs=240
compare_shards=3
compare_files=(comparison.csv results.xlsx)
ctld_port=${SLURM_TEST_CTLD_PORT:-16817}
slurmd_port=${SLURM_TEST_SLURMD_PORT:-16818}
node=tsim-node

[ "$(id -u)" = 0 ] || die "must run as root (it starts munged, slurmctld and slurmd)"
if [ ! -x "$bin" ]; then
    echo "slurm-test: FAILED: $bin is missing; build it first with 'cargo build --release' (.ci/run does that before calling this script)" >&2
    exit 1
fi
if "$bin" run --help 2>/dev/null | grep -q -- '--shard' && "$bin" --help 2>/dev/null | grep -q '^ *merge'; then
    :
else
    die "$bin has no 'run --shard' or 'merge' command: rebuild it from this tree"
fi

# --- state for the cleanup trap ---------------------------------------------
work=
munged_pid=
ctld_pid=
slurmd_pid=
jobs_submitted=()

stop_pid() { # name pid: SIGTERM, up to 10 s, then SIGKILL
    local name=$1 pid=$2 i
    [ -n "$pid" ] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        echo "slurm-test: $name (pid $pid) did not stop in 10 s: SIGKILL" >&2
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
    echo "slurm-test: stopped $name (pid $pid)"
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    set +e
    if [ ${#jobs_submitted[@]} -gt 0 ] && [ -n "$ctld_pid" ] && kill -0 "$ctld_pid" 2>/dev/null; then
        scancel "${jobs_submitted[@]}" 2>/dev/null
        # Give slurmd a moment to end the job processes it started.
        for _ in $(seq 1 30); do
            [ -z "$(squeue -h --jobs="$(
                IFS=,
                echo "${jobs_submitted[*]}"
            )" -t PD,R,CG,CF,S 2>/dev/null)" ] && break
            sleep 0.2
        done
    fi
    if [ "$rc" != 0 ] && [ -n "$work" ] && [ -d "$work" ]; then
        local f
        for f in "$work"/slurmctld.log "$work"/slurmd.log "$work"/jobcomp.txt "$work"/*/logs/*.out; do
            [ -f "$f" ] || continue
            echo "----- $f (last 25 lines)" >&2
            tail -n 25 "$f" >&2
        done
    fi
    stop_pid slurmd "$slurmd_pid"
    stop_pid slurmctld "$ctld_pid"
    stop_pid munged "$munged_pid"
    if [ -n "$work" ] && [ -d "$work" ]; then
        if [ "${SLURM_TEST_KEEP:-}" = 1 ]; then
            echo "slurm-test: kept $work"
        else
            rm -rf "$work"
        fi
    fi
    if [ "$rc" = 0 ]; then
        echo "slurm-test: passed in $(elapsed) s"
    else
        echo "slurm-test: failed (exit $rc) after $(elapsed) s" >&2
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- install ------------------------------------------------------------------
missing=()
for c in munged munge unmunge slurmctld slurmd sbatch squeue sinfo scancel; do
    command -v "$c" >/dev/null || missing+=("$c")
done
if [ ${#missing[@]} -gt 0 ]; then
    log "installing munge slurmctld slurmd slurm-client (missing: ${missing[*]})"
    apt_log=$(mktemp)
    if ! { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
        --no-install-recommends munge slurmctld slurmd slurm-client; } >"$apt_log" 2>&1; then
        tail -n 30 "$apt_log" >&2
        rm -f "$apt_log"
        die "apt-get could not install the Slurm packages"
    fi
    rm -f "$apt_log"
    log "installed $(dpkg-query -W -f='slurmctld ${Version}, munge ' slurmctld)$(dpkg-query -W -f='${Version}' munge)"
else
    log "Slurm and munge already installed"
fi

work=$(mktemp -d /tmp/slurm-test.XXXXXX)
chmod 755 "$work"

# --- unsharded reference (while nothing else runs) ----------------------------
cd "$root"
"$bin" run "$scenario" --runs "$runs" --months "$months" --seed "$seed" \
    --per-run --no-charts --quiet --out "$work/single" ||
    die "the unsharded reference run failed"
ref=$(find "$work/single" -mindepth 1 -maxdepth 1 -type d ! -name '.*')
[ -d "$ref" ] || die "the unsharded run wrote no scenario folder"
name=$(basename "$ref")
log "unsharded reference: $name, $runs runs x $months months, seed $seed"
"$bin" compare "$scenario" "$compare_with" --runs "$compare_runs" --months "$months" --seed "$seed" \
    --no-charts --quiet --out "$work/compare-single" ||
    die "the unsharded reference comparison failed"
compare_ref=$(find "$work/compare-single" -mindepth 1 -maxdepth 1 -type d ! -name '.*')
[ -d "$compare_ref" ] || die "the unsharded comparison wrote no folder"
compare_name=$(basename "$compare_ref")
log "unsharded reference comparison: $compare_name, $compare_runs runs x $months months"

# --- munge --------------------------------------------------------------------
munge_ok() { munge -n </dev/null 2>/dev/null | unmunge >/dev/null 2>&1; }
if munge_ok; then
    log "munged already running: using it (and leaving it running)"
else
    if [ ! -s /etc/munge/munge.key ]; then
        mungekey --create --keyfile=/etc/munge/munge.key
        chown munge:munge /etc/munge/munge.key
        chmod 0400 /etc/munge/munge.key
    fi
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown munge:munge /run/munge /var/log/munge /var/lib/munge
    chmod 0755 /run/munge
    # setpriv execs munged as the munge user, so $! is munged's own pid.
    setpriv --reuid=munge --regid=munge --init-groups -- munged --foreground >"$work/munged.out" 2>&1 &
    munged_pid=$!
    for _ in $(seq 1 50); do
        munge_ok && break
        kill -0 "$munged_pid" 2>/dev/null || {
            cat "$work/munged.out" >&2
            die "munged exited at start"
        }
        sleep 0.1
    done
    munge_ok || die "munged does not answer"
    log "munged started (pid $munged_pid)"
fi

# --- slurm.conf and daemons ---------------------------------------------------
# What slurmd itself detects, so the node is not drained for claiming more.
detected=$(slurmd -C 2>/dev/null | head -n 1 || true)
cpus=$(sed -n 's/.*[[:space:]]CPUs=\([0-9]*\).*/\1/p' <<<"$detected")
mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$detected")
[ -n "$cpus" ] || cpus=$(nproc)
[ -n "$mem" ] || mem=$(awk '/^MemTotal:/ { printf "%d", $2 / 1024 }' /proc/meminfo)
mkdir -p "$work/state" "$work/spool"
cat >"$work/slurm.conf" <<CONF
# One-node test cluster of ci/slurm-test.sh
ClusterName=tsimci
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$work/jobcomp.txt
SchedulerParameters=batch_sched_delay=0
MinJobAge=60
KillWait=5
ReturnToService=2
StateSaveLocation=$work/state
SlurmdSpoolDir=$work/spool
SlurmctldPidFile=$work/slurmctld.pid
SlurmdPidFile=$work/slurmd.pid
SlurmctldLogFile=$work/slurmctld.log
SlurmdLogFile=$work/slurmd.log
NodeName=$node NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem State=UNKNOWN
PartitionName=tsim Nodes=$node Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$work/slurm.conf

slurmctld -D -i >"$work/slurmctld.out" 2>&1 &
ctld_pid=$!
slurmd -D -N "$node" >"$work/slurmd.out" 2>&1 &
slurmd_pid=$!
state=
for _ in $(seq 1 150); do
    kill -0 "$ctld_pid" 2>/dev/null || { cat "$work/slurmctld.out" >&2; die "slurmctld exited at start"; }
    kill -0 "$slurmd_pid" 2>/dev/null || { cat "$work/slurmd.out" >&2; die "slurmd exited at start"; }
    state=$(sinfo -h -n "$node" -o '%T' 2>/dev/null || true)
    [ "$state" = idle ] && break
    sleep 0.2
done
[ "$state" = idle ] || die "node $node is not idle after 30 s (state: '${state:-none}')"
log "slurmctld (pid $ctld_pid) and slurmd (pid $slurmd_pid) up: node $node idle, $cpus CPUs, $mem MB"

# --- helpers --------------------------------------------------------------------
terminal_state() {
    case $1 in
    COMPLETED | FAILED | CANCELLED* | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | BOOT_FAIL | DEADLINE | PREEMPTED) return 0 ;;
    *) return 1 ;;
    esac
}

# wait_job ID TIMEOUT: wait until every task of job ID is in a final state;
# sets job_lines to "id state reason" lines (array tasks expanded).
job_lines=
wait_job() {
    local id=$1 timeout=$2 deadline lines all_done st
    deadline=$(($(date +%s) + timeout))
    while :; do
        lines=$(squeue -h --jobs="$id" -r -t all -o '%i %T %r' 2>/dev/null || true)
        if [ -n "$lines" ]; then
            all_done=1
            while read -r _ st _; do
                terminal_state "$st" || all_done=0
            done <<<"$lines"
            if [ "$all_done" = 1 ]; then
                job_lines=$lines
                return 0
            fi
        fi
        if [ "$(date +%s)" -ge "$deadline" ]; then
            echo "slurm-test: job $id still not finished after $timeout s:" >&2
            echo "${lines:-(not known to squeue)}" >&2
            return 1
        fi
        sleep 0.25
    done
}

# submit_run OUT [submit.sh options...]: sets array_id and merge_id.
array_id=
merge_id=
submit_run() {
    local out=$1 ids
    shift
    ids=$(bash "$submit" --scenario "$scenario" --shards "$shards" --runs "$runs" \
        --months "$months" --seed "$seed" --per-run --no-charts --bin "$bin" --out "$out" "$@") ||
        die "submit.sh failed"
    array_id=$(sed -n 's/^ARRAY_JOB_ID=//p' <<<"$ids")
    merge_id=$(sed -n 's/^MERGE_JOB_ID=//p' <<<"$ids")
    if [ -z "$array_id" ] || [ -z "$merge_id" ]; then
        die "submit.sh printed no job ids: $ids"
    fi
    jobs_submitted+=("$array_id" "$merge_id")
}

compare_with_reference() { # merged folder
    local dir=$1 f want got
    [ -d "$dir" ] || die "no merged folder $dir"
    want=$(find "$ref" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | tr '\n' ' ')
    got=$(find "$dir" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | tr '\n' ' ')
    [ "$want" = "$got" ] || die "merged folder has files [$got], an unsharded run writes [$want]"
    for f in "${compared[@]}"; do
        cmp -s "$ref/$f" "$dir/$f" || {
            cmp "$ref/$f" "$dir/$f" >&2 || true
            die "$f of the merge differs from the unsharded run's"
        }
    done
}

# --- 1. a 4-task array and the merge --------------------------------------------
submit_run "$work/ok" --cpus-per-task 1 --mem 1000M
log "submitted array job $array_id ($shards tasks, 1 CPU and 1000 MB each) and merge job $merge_id"
wait_job "$array_id" 90 || die "array job $array_id did not finish"
bad=$(awk '$2 != "COMPLETED"' <<<"$job_lines")
[ -z "$bad" ] || die "array tasks did not complete: $bad"
log "array $array_id finished ($(wc -l <<<"$job_lines") tasks)"
grep -q -- '--threads 1 --max-memory-mb 400$' "$work/ok/logs/shard-${array_id}_0.out" ||
    die "the array script did not pass the CPUs and 2/5 of --mem on to tariffsim: $(head -n 1 "$work/ok/logs/shard-${array_id}_0.out")"
wait_job "$merge_id" 60 || die "merge job $merge_id did not finish"
read -r _ st _ <<<"$job_lines"
[ "$st" = COMPLETED ] || die "merge job $merge_id ended $st"
log "merge job $merge_id finished"
for i in $(seq 0 $((shards - 1))); do
    [ -f "$work/ok/shards/$name.shard-$i-of-$shards/aggregate.bin" ] ||
        die "shard folder $name.shard-$i-of-$shards is missing or incomplete"
done
leftovers=$(find "$work/ok" "$work/ok/shards" -maxdepth 1 -name '.*' ! -name . | tr '\n' ' ')
[ -z "$leftovers" ] || die "temporary folders left behind: $leftovers"
compare_with_reference "$work/ok/$name"
log "byte-identical to unsharded run: ${compared[*]}"

# --- 2. task 2 fails: the merge must be cancelled --------------------------------
cat >"$work/fail-wrapper.sh" <<WRAP
#!/bin/sh
# Stand-in binary for the failing case: array index $fail_index fails.
if [ "\${SLURM_ARRAY_TASK_ID:-}" = "$fail_index" ]; then
    echo "fail-wrapper: failing array index $fail_index on purpose" >&2
    exit 1
fi
exec "$bin" "\$@"
WRAP
chmod 755 "$work/fail-wrapper.sh"
submit_run "$work/fail" --bin "$work/fail-wrapper.sh"
log "submitted array job $array_id with index $fail_index failing, and merge job $merge_id"
wait_job "$array_id" 90 || die "array job $array_id did not finish"
failed=$(awk '$2 != "COMPLETED" { print $1 }' <<<"$job_lines" | tr '\n' ' ')
[ "$failed" = "${array_id}_${fail_index} " ] ||
    die "expected only task ${array_id}_${fail_index} to fail; states: $(tr '\n' ';' <<<"$job_lines")"
log "array $array_id finished: task ${array_id}_${fail_index} failed, $((shards - 1)) completed"
wait_job "$merge_id" 60 || die "merge job $merge_id was not cancelled (is --kill-on-invalid-dep=yes passed?)"
read -r _ st reason <<<"$job_lines"
[[ $st == CANCELLED* ]] || die "merge job $merge_id ended $st, expected CANCELLED"
[ ! -e "$work/fail/logs/merge-$merge_id.out" ] || die "merge job $merge_id ran (it has a log) although a shard failed"
[ ! -e "$work/fail/$name" ] || die "a merged folder exists although a shard failed"
present=("$work"/fail/shards/*.shard-*-of-"$shards")
[ ${#present[@]} = $((shards - 1)) ] || die "expected $((shards - 1)) shard folders, found ${#present[@]}"
set +e
msg=$("$bin" merge "${present[@]}" --out "$work/fail" --no-charts --quiet 2>&1)
rc=$?
set -e
[ "$rc" = 2 ] || die "tariffsim merge of $((shards - 1)) of $shards shards exited $rc, expected 2: $msg"
grep -Eiq "shard[^0-9]{0,12}$fail_index([^0-9]|$)|$fail_index-of-$shards|$fail_index/$shards|$fail_index of $shards|index(es)? $fail_index([^0-9]|$)" <<<"$msg" ||
    die "tariffsim merge refused but does not name shard $fail_index: $msg"
[ ! -e "$work/fail/$name" ] || die "the refused merge wrote $work/fail/$name"
log "failed shard: merge job $merge_id cancelled ($reason); manual merge refused: $(head -n 3 <<<"$msg" | tr '\n' ' ')"

# --- 3. recovery: rerun index 2 alone, then the merge ---------------------------
submit_run "$work/fail" --indices "$fail_index"
log "resubmitted index $fail_index as array job $array_id and merge job $merge_id"
wait_job "$array_id" 60 || die "array job $array_id did not finish"
bad=$(awk '$2 != "COMPLETED"' <<<"$job_lines")
[ -z "$bad" ] || die "rerun of index $fail_index did not complete: $bad"
wait_job "$merge_id" 60 || die "merge job $merge_id did not finish"
read -r _ st _ <<<"$job_lines"
[ "$st" = COMPLETED ] || die "merge job $merge_id after the rerun ended $st"
compare_with_reference "$work/fail/$name"
log "rerun of index $fail_index and merge job $merge_id: byte-identical to unsharded run: ${compared[*]}"

# --- 4. a sharded comparison: an array of compare shards and the merge -----------
ids=$(bash "$submit" --scenario "$scenario" --compare "$compare_with" --shards "$compare_shards" \
    --runs "$compare_runs" --months "$months" --seed "$seed" --no-charts --bin "$bin" \
    --out "$work/compare" --cpus-per-task 1 --mem 1000M) || die "submit.sh --compare failed"
array_id=$(sed -n 's/^ARRAY_JOB_ID=//p' <<<"$ids")
merge_id=$(sed -n 's/^MERGE_JOB_ID=//p' <<<"$ids")
[ -n "$array_id" ] && [ -n "$merge_id" ] || die "submit.sh --compare printed no job ids: $ids"
jobs_submitted+=("$array_id" "$merge_id")
log "submitted compare array job $array_id ($compare_shards tasks) and merge job $merge_id"
wait_job "$array_id" 90 || die "compare array job $array_id did not finish"
bad=$(awk '$2 != "COMPLETED"' <<<"$job_lines")
[ -z "$bad" ] || die "compare array tasks did not complete: $bad"
grep -q " compare .*--shard auto " "$work/compare/logs/shard-${array_id}_0.out" ||
    die "the array script did not run tariffsim compare: $(head -n 1 "$work/compare/logs/shard-${array_id}_0.out")"
wait_job "$merge_id" 60 || die "compare merge job $merge_id did not finish"
read -r _ st _ <<<"$job_lines"
[ "$st" = COMPLETED ] || die "compare merge job $merge_id ended $st"
for i in $(seq 0 $((compare_shards - 1))); do
    [ -f "$work/compare/shards/$compare_name.shard-$i-of-$compare_shards/aggregate.bin" ] ||
        die "compare shard folder $compare_name.shard-$i-of-$compare_shards is missing or incomplete"
done
merged=$work/compare/$compare_name
[ -d "$merged" ] || die "no merged comparison $merged"
want=$(find "$compare_ref" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | tr '\n' ' ')
got=$(find "$merged" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort | tr '\n' ' ')
[ "$want" = "$got" ] || die "merged comparison has files [$got], an unsharded compare writes [$want]"
for f in "${compare_files[@]}"; do
    cmp -s "$compare_ref/$f" "$merged/$f" || {
        cmp "$compare_ref/$f" "$merged/$f" >&2 || true
        die "$f of the merged comparison differs from the unsharded compare's"
    }
done
log "sharded comparison, merge job $merge_id: byte-identical to unsharded compare: ${compare_files[*]}"
