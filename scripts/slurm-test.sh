#!/usr/bin/env bash
# Integration test of sweeps on a real Slurm (issue 13): installs slurm-wlm and munge if missing, starts
# munged, slurmctld and slurmd on loopback with a configuration written into a temporary directory, runs
# test/slurm/slurmSweep.test.ts against them, and stops the daemons it started, by PID, also on failure.
# Root, no systemd or cgroups needed (proctrack/linuxproc, task/none). Usage: scripts/slurm-test.sh
set -euo pipefail
cd "$(dirname "$0")/.."
started=$(date +%s)

if ! command -v slurmctld >/dev/null || ! command -v munged >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends slurm-wlm munge ||
    { apt-get update && apt-get install -y --no-install-recommends slurm-wlm munge; }
fi

tmp=$(mktemp -d /tmp/sgd-factors-slurm.XXXXXX)
chmod 711 "$tmp"
pids=()
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  if [ "$status" -ne 0 ]; then
    echo "slurm-test: failed (exit $status); daemon logs:" >&2
    tail -n 20 "$tmp"/*.log >&2 || true
  fi
  rm -rf "$tmp"
  exit "$status"
}
trap cleanup EXIT INT TERM

# Our own munge key and socket, so that a munged already running on the machine is left alone.
dd if=/dev/urandom of="$tmp/munge.key" bs=1024 count=1 status=none
chmod 600 "$tmp/munge.key"
/usr/sbin/munged -F --force --key-file="$tmp/munge.key" --socket="$tmp/munge.sock" \
  --pid-file="$tmp/munged.pid" --log-file="$tmp/munged.log" --seed-file="$tmp/munged.seed" >/dev/null 2>&1 &
pids+=($!)

node=$(hostname -s)
# Ports from the PID, so that two of these tests on one machine do not collide.
port=$((20000 + ($$ % 20000) * 2))
mkdir -p "$tmp/state" "$tmp/spool"
cat >"$tmp/slurm.conf" <<CONF
ClusterName=sgdfactors
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge.sock
SlurmctldPort=$port
SlurmdPort=$((port + 1))
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
ReturnToService=2
MpiDefault=none
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$tmp/slurm.conf"
for _ in $(seq 50); do [ -S "$tmp/munge.sock" ] && break; sleep 0.1; done
/usr/sbin/slurmctld -D -i -f "$SLURM_CONF" >/dev/null 2>&1 &
pids+=($!)
/usr/sbin/slurmd -D -f "$SLURM_CONF" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  sinfo -h -o '%T' 2>/dev/null | grep -qx idle && break
  sleep 0.2
done
sinfo -h -o '%T' | grep -qx idle || { echo 'slurm-test: the node did not become idle' >&2; exit 1; }
echo "slurm-test: munged, slurmctld and slurmd up after $(($(date +%s) - started)) s (SLURM_CONF=$SLURM_CONF)"

SGD_FACTORS_SLURM_TEST=1 node --import tsx --test --test-reporter=spec test/slurm/slurmSweep.test.ts
echo "slurm-test: passed in $(($(date +%s) - started)) s"
