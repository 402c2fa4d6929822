#!/usr/bin/env bash
# ContainerTest benchmark. Generates three MSTest projects — Trivial (200 trivial tests), IoWait
# (40 tests each awaiting 250 ms), Cpu (20 tests each computing for about 2 s of one core: a
# fixed amount of work, not a wall-clock spin, so running side by side on too few cores shows) —
# and runs each, in one go on
# this machine, six ways:
#   native serial        dotnet test as the project is (no ContainerTest)
#   native parallel      the same with MSTest's method-level parallelization on (workers = cores)
#   naive docker run     one `docker run --rm` per test in the host image (a fresh process that
#                        loads MSTest and runs one test, via MSTest's own runner), 4 at a time
#   container per test   ContainerTest with ContainerTestIsolation=container (its warm pool on)
#   sandbox, spares      ContainerTest's sandboxes with CONTAINERTEST_POOL_DEPTH=4 (a spare worker per
#                        slot, the default until measured slower)
#   sandbox, JIT         ContainerTest's sandboxes, built with ContainerTestReadyToRun=false (the
#                        test framework JIT-compiled in every sandbox), to show what precompiling pays
#   sandbox              ContainerTest as it comes (a fresh sandbox per test in worker containers)
#   VM per test          ContainerTestBackend=qemu (a QEMU VM per test, started from a saved state);
#                        only when qemu-system-x86_64 and a kernel (nuget/native/kernel.sh) are
#                        there, and under TCG wherever KVM is unusable — as on the machine the
#                        README's numbers come from, where KVM numbers cannot be measured; for the
#                        projects in BENCH_QEMU_PROJECTS only (default IoWait: under TCG 200 trivial
#                        tests take about ten minutes)
# and prints wall time, tests/s, the whole machine's CPU time per test (from /proc/stat: every
# process, the engine's included), peak RSS of the dotnet test process tree, the time to the
# first reported result, and ratios to native. Writes the table to artifacts/bench/results.md.
# Usage: bench/run.sh [Trivial|IoWait|Cpu …]   (needs Docker: ./build.sh docker)
#        bench/run.sh Scale [COUNT]            COUNT (2,000) trivial tests with ContainerTest only:
#                                              every test reported once, the test host's memory as
#                                              results arrive, no container left; writes scale.md
#        bench/run.sh QemuBoot [JOBS]          the qemu backend's cold boot against restore from a
#                                              saved state, wall and CPU per job (bench/QemuBoot);
#                                              writes qemu-boot.md
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/artifacts/bench"
PROJECTS="$OUT/projects"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
mkdir -p "$PROJECTS"
for tool in /usr/bin/time bc docker; do
  command -v "$tool" >/dev/null || { echo "bench: needs $tool (apt-get install -y time bc; ./build.sh docker)" >&2; exit 1; }
done

# generate NAME COUNT BODY — an MSTest project whose COUNT tests each run BODY.
generate() {
  local name="$1" count="$2" body="$3" dir="$PROJECTS/$1"
  mkdir -p "$dir"
  cat > "$dir/$name.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.NET.Test.Sdk" Version="18.11.0" />
    <PackageReference Include="MSTest.TestAdapter" Version="4.5.2" />
    <PackageReference Include="MSTest.TestFramework" Version="4.5.2" />
  </ItemGroup>
  <Import Project="$ROOT/nuget/build/ContainerTest.FromSource.targets" Condition="'\$(ContainerTest)' != 'false'" />
</Project>
XML
  {
    echo "namespace $name;"
    echo "[TestClass] public sealed class Tests {"
    for i in $(seq 1 "$count"); do echo "  [TestMethod] public async Task T$i() { $body }"; done
    echo "}"
  } > "$dir/Tests.cs"
  # Isolated from the repository's Directory.Build.* files.
  echo '<Project />' > "$dir/Directory.Build.props"
  echo '<Project />' > "$dir/Directory.Build.targets"
}

generate Trivial 200 'await Task.CompletedTask; Assert.AreEqual(2, 1 + 1);'
generate IoWait 40 'await Task.Delay(250);'
# About 2 s of one core on the machine the README's numbers come from (1.7e9 dependent multiply-adds).
generate Cpu 20 'await Task.Yield(); var x = 0UL; for (var i = 0UL; i < 1_700_000_000UL; i++) { x = x * 6364136223846793005UL + 1442695040888963407UL; } Assert.AreNotEqual(0UL, x);'
declare -A tests=([Trivial]=200 [IoWait]=40 [Cpu]=20)

# vstest holds results back until ten tests have started or ended or 1.5 s have passed; every
# dotnet test run here sends each result as it comes, so "first result" is when it was known.
batch=RunConfiguration.BatchSize=1

# The whole machine's busy CPU time so far, in seconds (user, nice, system, irq, softirq, steal of /proc/stat).
busy_seconds() {
  awk -v hz="$(getconf CLK_TCK)" '/^cpu / { printf "%.3f", ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat
}

# measure COMMAND… → "wall_seconds peak_rss_kb first_result_seconds cpu_seconds" (first result:
# the first "Passed"/"Failed" line on the console, "-" when there is none; cpu: the whole machine's).
measure() {
  local start first="-" line rss busy
  busy=$(busy_seconds)
  start=$(date +%s.%N)
  while IFS= read -r line; do
    if [ "$first" = "-" ] && [[ "$line" =~ ^[[:space:]]+(Passed|Failed)[[:space:]] || "$line" =~ ^(passed|failed)[[:space:]] ]]; then
      first=$(echo "$(date +%s.%N) - $start" | bc)
    fi
  done < <(/usr/bin/time -f 'RSS %M' -o "$OUT/last.time" "$@" 2>&1 || true)
  local end
  end=$(date +%s.%N)
  busy=$(echo "$(busy_seconds) - $busy" | bc)
  rss=$(awk '/^RSS/ {print $2}' "$OUT/last.time")
  echo "$(echo "$end - $start" | bc) ${rss:-0} $first $busy"
}

# One docker run per test, four at a time, in the host image: the baseline the issue names.
naive_run() {
  local dir="$1" name="$2" count="$3" image="$4"
  seq 1 "$count" | xargs -P 4 -I{} docker run --rm --network none -v "$dir/naive:$dir/naive:ro" -w "$dir/naive" \
    "$image" dotnet "$dir/naive/$name.dll" --filter "FullyQualifiedName=$name.Tests.T{}" --results-directory /tmp/results \
    --output Detailed 2>&1 | sed -u -n 's/^\(passed\|failed\) .*/&/p'
}

host_image() {
  docker images containertest/host-runtime --format '{{.Repository}}:{{.Tag}}' | head -n 1
}

# Scale: COUNT trivial tests with ContainerTest. Samples the test host's RSS every second beside
# the number of results reported so far; checks the TRX holds every test exactly once and that
# no container of ours is left.
scale() {
  local count="${1:-2000}" dir="$PROJECTS/Scale" log="$OUT/scale.log" samples="$OUT/scale-samples.tsv" results="$OUT/scale-results"
  generate Scale "$count" 'await Task.CompletedTask; Assert.AreEqual(2, 1 + 1);'
  echo "==> Scale: building $count tests" >&2
  dotnet build "$dir" -c Release -o "$dir/contained" -nologo -clp:ErrorsOnly >/dev/null
  rm -rf "$results" && : > "$samples"
  echo "==> Scale: running (log: $log)" >&2
  local start end pid host rss reported
  start=$(date +%s.%N)
  dotnet test "$dir/contained/Scale.dll" --logger "console;verbosity=normal" --logger "trx;LogFileName=scale.trx" --results-directory "$results" >"$log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    host=$(pgrep -f 'testhost.dll' | head -n 1 || true)
    rss=$([ -n "$host" ] && ps -o rss= -p "$host" 2>/dev/null | tr -d ' ' || true)
    reported=$(grep -cE '^\s+(Passed|Failed) ' "$log" || true)
    [ -n "$rss" ] && printf '%s\t%s\t%s\n' "$(echo "$(date +%s.%N) - $start" | bc)" "$rss" "$reported" >> "$samples"
    sleep 1
  done
  wait "$pid" || true
  end=$(date +%s.%N)
  local trx wall results_in_trx distinct passed leftovers
  trx="$results/scale.trx"
  wall=$(echo "$end - $start" | bc)
  results_in_trx=$(grep -o '<UnitTestResult ' "$trx" 2>/dev/null | wc -l)
  distinct=$(grep -o '<UnitTestResult [^>]*testId="[^"]*"' "$trx" 2>/dev/null | sed 's/.*testId="\([^"]*\)"/\1/' | sort -u | wc -l)
  passed=$(grep -o '<UnitTestResult [^>]*outcome="Passed"' "$trx" 2>/dev/null | wc -l)
  leftovers=$(( $(docker ps -aq --filter label=io.containertest.managed=true --filter label=io.containertest.kind=job | wc -l) + $(docker ps -aq --filter label=io.containertest.managed=true --filter label=io.containertest.kind=worker | wc -l) ))
  # RSS (MB) when a quarter, half and three quarters of the results had been reported, and at the
  # last sample (the test host may end before a sample sees the very last result).
  local marks=() quarter
  for quarter in 1 2 3; do
    marks+=("$(awk -v n=$((count * quarter / 4)) '$3 >= n { printf "%d", $2 / 1024; exit }' "$samples")")
  done
  marks+=("$(awk 'END { printf "%d", $2 / 1024 }' "$samples")")
  local peak_half peak
  peak_half=$(awk -v n=$((count / 2)) '$3 <= n && $2 > m { m = $2 } END { printf "%d", m / 1024 }' "$samples")
  peak=$(awk '$2 > m { m = $2 } END { printf "%d", m / 1024 }' "$samples")
  {
    echo "| tests | wall (s) | tests/s | results in TRX | distinct tests | passed | test host RSS at 25/50/75 % and at the end (MB) | peak RSS, first $((count / 2)) (MB) | peak RSS (MB) | containers left |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    printf '| %d | %.0f | %.1f | %d | %d | %d | %s | %s | %s | %d |\n' "$count" "$wall" "$(echo "$count / $wall" | bc -l)" "$results_in_trx" "$distinct" "$passed" \
      "${marks[0]:--} / ${marks[1]:--} / ${marks[2]:--} / ${marks[3]:--}" "$peak_half" "$peak" "$leftovers"
    echo
    echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(docker version --format 'Docker {{.Server.Version}}' 2>/dev/null), .NET SDK $(dotnet --version), $(date -u +%Y-%m-%d). Samples: $samples."
  } > "$OUT/scale.md"
  cat "$OUT/scale.md"
  [ "$results_in_trx" -eq "$count" ] && [ "$distinct" -eq "$count" ] && [ "$leftovers" -eq 0 ]
}

if [ "${1:-}" = "Scale" ]; then
  scale "${2:-2000}"
  exit
fi

# QemuBoot: jobs of one template in a pool, every VM booted, then every VM restored from the saved
# state of one whose command already waits for its input; a busybox `read` and a .NET program.
if [ "${1:-}" = "QemuBoot" ]; then
  tools="$OUT/qemu-boot/tools"
  rm -rf "$tools" && mkdir -p "$tools"
  cp "$(command -v busybox)" "$tools/busybox"
  dotnet build "$ROOT/bench/QemuBoot/Waiter" -c Release -o "$OUT/qemu-boot/waiter" -nologo -clp:ErrorsOnly >/dev/null
  (cd "$ROOT/bench/QemuBoot" && dotnet run QemuBoot.cs -- "$OUT/qemu-boot/waiter" "$tools" "${2:-5}") | tee "$OUT/qemu-boot.md"
  exit
fi

# The qemu row runs where QEMU and a kernel are (see the header).
qemu_row=false
if command -v qemu-system-x86_64 >/dev/null && ls "${CONTAINERTEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/containertest}"/kernels/*/boot/vmlinuz-* >/dev/null 2>&1; then
  qemu_row=true
fi

results="$OUT/results.md"
{
  echo "| project | mode | wall (s) | tests/s | CPU-s per test (whole machine) | peak RSS (MB) | first result (s) | vs native serial | vs native parallel |"
  echo "|---|---|---|---|---|---|---|---|---|"
} > "$results"

selected=("$@")
[ ${#selected[@]} -eq 0 ] && selected=(Trivial IoWait Cpu)
for project in "${selected[@]}"; do
  dir="$PROJECTS/$project"
  count=${tests[$project]}
  echo "==> $project: building" >&2
  dotnet build "$dir" -c Release -o "$dir/native" -p:ContainerTest=false -nologo -clp:ErrorsOnly >/dev/null
  dotnet build "$dir" -c Release -o "$dir/naive" -p:ContainerTest=false -p:EnableMSTestRunner=true -p:OutputType=Exe -nologo -clp:ErrorsOnly >/dev/null
  dotnet build "$dir" -c Release -o "$dir/contained" -nologo -clp:ErrorsOnly >/dev/null
  dotnet build "$dir" -c Release -o "$dir/contained-jit" -p:ContainerTestReadyToRun=false -nologo -clp:ErrorsOnly >/dev/null
  # The host image is built on first use; make sure it exists before anything is timed.
  [ -n "$(host_image)" ] || ContainerTest=true dotnet test "$dir/contained/$project.dll" --filter Name=T1 >/dev/null 2>&1 || true
  image="$(host_image)"

  echo "==> $project: native serial" >&2
  read -r serial serial_rss serial_first serial_cpu <<<"$(measure dotnet test "$dir/native/$project.dll" --logger "console;verbosity=normal" -- "$batch")"
  echo "==> $project: native parallel" >&2
  read -r parallel parallel_rss parallel_first parallel_cpu <<<"$(measure dotnet test "$dir/native/$project.dll" --logger "console;verbosity=normal" -- "$batch" MSTest.Parallelize.Workers=0 MSTest.Parallelize.Scope=MethodLevel)"
  echo "==> $project: naive docker run" >&2
  export -f naive_run
  read -r naive naive_rss naive_first naive_cpu <<<"$(measure bash -c "naive_run '$dir' '$project' '$count' '$image'")"
  echo "==> $project: ContainerTest, a container per test" >&2
  read -r container container_rss container_first container_cpu <<<"$(CONTAINERTEST_ISOLATION=container measure dotnet test "$dir/contained/$project.dll" --logger "console;verbosity=normal" -- "$batch")"
  echo "==> $project: ContainerTest, sandboxes with spare workers" >&2
  read -r spare spare_rss spare_first spare_cpu <<<"$(CONTAINERTEST_POOL_DEPTH=4 measure dotnet test "$dir/contained/$project.dll" --logger "console;verbosity=normal" -- "$batch")"
  echo "==> $project: ContainerTest, sandboxes, framework JIT-compiled" >&2
  read -r jit jit_rss jit_first jit_cpu <<<"$(measure dotnet test "$dir/contained-jit/$project.dll" --logger "console;verbosity=normal" -- "$batch")"
  echo "==> $project: ContainerTest, sandboxes" >&2
  read -r sandbox sandbox_rss sandbox_first sandbox_cpu <<<"$(measure dotnet test "$dir/contained/$project.dll" --logger "console;verbosity=normal" -- "$batch")"
  vm_row=()
  if [ "$qemu_row" = true ] && [[ " ${BENCH_QEMU_PROJECTS:-IoWait} " == *" $project "* ]]; then
    echo "==> $project: ContainerTest, a VM per test (qemu)" >&2
    read -r vm vm_rss vm_first vm_cpu <<<"$(CONTAINERTEST_BACKEND=qemu measure dotnet test "$dir/contained/$project.dll" --logger "console;verbosity=normal" -- "$batch")"
    accel="$(grep -qs '^ok' "${CONTAINERTEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/containertest}"/qemu/kvm-*.txt && echo KVM || echo TCG)"
    vm_row=("ContainerTest, VM per test (qemu, $accel):$vm:$vm_rss:$vm_first:$vm_cpu")
  fi

  for row in "native serial:$serial:$serial_rss:$serial_first:$serial_cpu" "native method-parallel:$parallel:$parallel_rss:$parallel_first:$parallel_cpu" \
             "naive docker run ×4:$naive:$naive_rss:$naive_first:$naive_cpu" "ContainerTest, container per test:$container:$container_rss:$container_first:$container_cpu" \
             "ContainerTest, sandbox, 4 spare workers:$spare:$spare_rss:$spare_first:$spare_cpu" "ContainerTest, sandbox, framework JIT-compiled:$jit:$jit_rss:$jit_first:$jit_cpu" \
             "ContainerTest, sandbox:$sandbox:$sandbox_rss:$sandbox_first:$sandbox_cpu" "${vm_row[@]}"; do
    IFS=: read -r mode wall rss first cpu <<<"$row"
    [ "$first" = "-" ] || first=$(printf '%.1f' "$first")
    printf '| %s | %s | %.1f | %.1f | %.3f | %d | %s | %.2f× | %.2f× |\n' "$project ($count tests)" "$mode" "$wall" "$(echo "$count / $wall" | bc -l)" "$(echo "$cpu / $count" | bc -l)" "$((rss / 1024))" \
      "$first" "$(echo "$wall / $serial" | bc -l)" "$(echo "$wall / $parallel" | bc -l)" >> "$results"
  done
done

{
  echo
  echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(docker version --format 'Docker {{.Server.Version}}' 2>/dev/null), .NET SDK $(dotnet --version), $(date -u +%Y-%m-%d). ContainerTest at its default parallelism (2 × cores = $((2 * $(nproc)))); the naive runs 4 at a time."
  echo "CPU-s per test: the whole machine's busy time during the run (every process: dotnet test, the engine, the containers), divided by the tests; nothing else ran."
  echo "Peak RSS: the largest process of the run (for dotnet test, the test host holding the adapter; for the naive runs, the docker CLI)."
  if [ "$qemu_row" = true ]; then
    echo "VM per test: QEMU $(qemu-system-x86_64 --version | awk 'NR == 1 { print $4 }'); under TCG (no usable KVM) every guest instruction is emulated, so that row says what this machine can do, not what KVM would: KVM numbers cannot be measured here."
  fi
} >> "$results"
cat "$results"
