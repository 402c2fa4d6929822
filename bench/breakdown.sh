#!/usr/bin/env bash
# Where the CPU of a ContainerTest run goes, per test: the whole machine (/proc/stat), the containers
# (the docker cgroup: workers, supervisors, sandboxes, agents, tests), the dotnet test process tree
# (rusage of it and its children: vstest and the test host), dockerd and containerd (/proc), and the
# rest (shims, runc, the kernel). Cgroup v1 layout (cpuacct/docker), as on the machine it was written for.
# Usage: bench/breakdown.sh [TEST.dll [TESTS]]   (default: the Trivial project bench/run.sh built)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dll=${1:-$ROOT/artifacts/bench/projects/Trivial/contained/Trivial.dll}
[ -f "$dll" ] || { echo "breakdown: $dll does not exist; run bench/run.sh Trivial first (it builds the project)" >&2; exit 1; }
n=${2:-200}
tick=$(getconf CLK_TCK)
busy() { awk '/^cpu / {print $2+$3+$4+$7+$8+$9}' /proc/stat; }
proc() { awk '{print $14+$15}' /proc/$(pidof "$1" | awk '{print $1}')/stat; }
cg=/sys/fs/cgroup/cpuacct/docker/cpuacct.usage
[ -r "$cg" ] || { echo "breakdown: $cg is missing: this needs cgroup v1 with Docker's cgroupfs layout" >&2; exit 1; }
time_file="$(mktemp)"; out_file="$(mktemp)"
trap 'rm -f "$time_file" "$out_file"' EXIT
b0=$(busy); d0=$(proc dockerd); c0=$(proc containerd); g0=$(cat $cg)
/usr/bin/time -o "$time_file" -f "%U %S %e" dotnet test "$dll" -- RunConfiguration.BatchSize=1 > "$out_file" 2>&1 || true
sleep 2
b1=$(busy); d1=$(proc dockerd); c1=$(proc containerd); g1=$(cat $cg)
read -r u s e < "$time_file"
python3 - "$n" "$tick" "$b0" "$b1" "$d0" "$d1" "$c0" "$c1" "$g0" "$g1" "$u" "$s" "$e" <<'PY'
import sys
n,tick,b0,b1,d0,d1,c0,c1,g0,g1,u,s,e=sys.argv[1:]
n=int(n);tick=float(tick)
whole=(float(b1)-float(b0))/tick
dockerd=(float(d1)-float(d0))/tick
containerd=(float(c1)-float(c0))/tick
containers=(int(g1)-int(g0))/1e9
host=float(u)+float(s)
rest=whole-dockerd-containerd-containers-host
print(f"wall {e} s; per test (CPU-s): whole {whole/n:.3f}; in containers (supervisors, sandboxes, agents, tests) {containers/n:.3f}; dotnet test + test host {host/n:.3f}; dockerd {dockerd/n:.3f}; containerd {containerd/n:.3f}; the rest (shims, runc, kernel) {rest/n:.3f}")
PY
grep -E "Passed!|Failed!|Total" "$out_file" | tail -2
