#!/usr/bin/env bash
# ContainerTest benchmark. Generates three MSTest projects — Trivial (200 trivial tests), IoWait
# (40 tests each awaiting 250 ms), Cpu (20 tests each spinning 2 s) — and runs each, in one go on
# this machine, five ways:
#   native serial        dotnet test as the project is (no ContainerTest)
#   native parallel      the same with MSTest's method-level parallelization on (workers = cores)
#   naive docker run     one `docker run --rm` per test in the host image (a fresh process that
#                        loads MSTest and runs one test, via MSTest's own runner), 4 at a time
#   ContainerTest        dotnet test with ContainerTest
# and prints wall time, tests/s, peak RSS of the dotnet test process tree, the time to the first
# reported result, and ratios to native. Writes the table to artifacts/bench/results.md.
# Usage: bench/run.sh [Trivial|IoWait|Cpu …]   (needs Docker: ./build.sh docker)
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
generate Cpu 20 'await Task.Yield(); var until = DateTime.UtcNow.AddSeconds(2); var x = 0UL; while (DateTime.UtcNow < until) { x++; } Assert.IsTrue(x > 0);'
declare -A tests=([Trivial]=200 [IoWait]=40 [Cpu]=20)

# measure COMMAND… → "wall_seconds peak_rss_kb first_result_seconds" (first result: the first
# "Passed"/"Failed" line on the console; "-" when there is none).
measure() {
  local start first="-" line rss
  start=$(date +%s.%N)
  while IFS= read -r line; do
    if [ "$first" = "-" ] && [[ "$line" =~ ^[[:space:]]+(Passed|Failed)[[:space:]] || "$line" =~ ^(passed|failed)[[:space:]] ]]; then
      first=$(echo "$(date +%s.%N) - $start" | bc)
    fi
  done < <(/usr/bin/time -f 'RSS %M' -o "$OUT/last.time" "$@" 2>&1 || true)
  local end
  end=$(date +%s.%N)
  rss=$(awk '/^RSS/ {print $2}' "$OUT/last.time")
  echo "$(echo "$end - $start" | bc) ${rss:-0} $first"
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

results="$OUT/results.md"
{
  echo "| project | mode | wall (s) | tests/s | peak RSS (MB) | first result (s) | vs native serial | vs native parallel |"
  echo "|---|---|---|---|---|---|---|---|"
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
  # The host image is built on first use; make sure it exists before anything is timed.
  [ -n "$(host_image)" ] || ContainerTest=true dotnet test "$dir/contained/$project.dll" --filter Name=T1 >/dev/null 2>&1 || true
  image="$(host_image)"

  echo "==> $project: native serial" >&2
  read -r serial serial_rss serial_first <<<"$(measure dotnet test "$dir/native/$project.dll" --logger "console;verbosity=normal")"
  echo "==> $project: native parallel" >&2
  read -r parallel parallel_rss parallel_first <<<"$(measure dotnet test "$dir/native/$project.dll" --logger "console;verbosity=normal" -- MSTest.Parallelize.Workers=0 MSTest.Parallelize.Scope=MethodLevel)"
  echo "==> $project: naive docker run" >&2
  export -f naive_run
  read -r naive naive_rss naive_first <<<"$(measure bash -c "naive_run '$dir' '$project' '$count' '$image'")"
  echo "==> $project: ContainerTest" >&2
  read -r contained contained_rss contained_first <<<"$(measure dotnet test "$dir/contained/$project.dll" --logger "console;verbosity=normal")"

  for row in "native serial:$serial:$serial_rss:$serial_first" "native method-parallel:$parallel:$parallel_rss:$parallel_first" \
             "naive docker run ×4:$naive:$naive_rss:$naive_first" "ContainerTest:$contained:$contained_rss:$contained_first"; do
    IFS=: read -r mode wall rss first <<<"$row"
    [ "$first" = "-" ] || first=$(printf '%.1f' "$first")
    printf '| %s | %s | %.1f | %.1f | %d | %s | %.2f× | %.2f× |\n' "$project ($count tests)" "$mode" "$wall" "$(echo "$count / $wall" | bc -l)" "$((rss / 1024))" \
      "$first" "$(echo "$wall / $serial" | bc -l)" "$(echo "$wall / $parallel" | bc -l)" >> "$results"
  done
done

{
  echo
  echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB, $(docker version --format 'Docker {{.Server.Version}}' 2>/dev/null), .NET SDK $(dotnet --version), $(date -u +%Y-%m-%d). ContainerTest at its default parallelism (2 × cores = $((2 * $(nproc)))); the naive runs 4 at a time."
  echo "Peak RSS: the largest process of the run (for dotnet test, the test host holding the adapter; for the naive runs, the docker CLI)."
} >> "$results"
cat "$results"
