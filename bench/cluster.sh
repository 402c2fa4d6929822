#!/usr/bin/env bash
# Tests per second with the workers on a Docker Swarm of 1, 2 and 3 nodes (ContainerTestCluster=swarm).
# The cluster is the one the tests use (tests/Fixtures/Swarm/swarm-cluster.sh: every node a dockerd
# of its own on THIS machine, so the nodes share its cores: more nodes add no CPU here, and the
# numbers show the cost of spreading, not a speed-up a real cluster of machines would give).
# For each size: the cluster is made afresh, one warm-up run (bakes and pushes the image, every
# node pulls it), then the measured run of the 300 trivial tests of ManyTestsFixture with two
# workers per node. Prints a markdown table; writes it to artifacts/bench/cluster.md.
# Usage (as root): bench/cluster.sh [SIZES…]   (default: 1 2 3)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/artifacts/bench"
CLUSTER="$ROOT/tests/Fixtures/Swarm/swarm-cluster.sh"
PROJECT="$ROOT/tests/Fixtures/TestProjects/ManyTestsFixture/ManyTestsFixture.csproj"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
mkdir -p "$OUT"
trap 'bash "$CLUSTER" down' EXIT

dotnet build "$PROJECT" -c Release -nologo -clp:ErrorsOnly >/dev/null

# run PARALLELISM FILTER — prints wall seconds and the count of passed tests
run() {
  local start end results
  results="$(mktemp -d)"
  start="$(date +%s.%N)"
  env DOCKER_HOST="$DOCKER_HOST" CONTAINERTEST_CLUSTER=swarm CONTAINERTEST_REGISTRY="$CONTAINERTEST_REGISTRY" \
    CONTAINERTEST_PARALLELISM="$1" CONTAINERTEST_POOL_DEPTH=0 CONTAINERTEST_SOURCE_ROOT="$(dirname "$PROJECT")" \
    dotnet test "$PROJECT" -c Release --no-build -nologo --filter "$2" --logger "trx;LogFileName=r.trx" --results-directory "$results" >"$results/out.txt" 2>&1 || true
  end="$(date +%s.%N)"
  echo "$(echo "$end - $start" | bc) $(grep -o 'passed="[0-9]*"' "$results/r.trx" | grep -o '[0-9]*' || echo 0)"
  rm -rf "$results"
}

{
  echo "| nodes | workers | 300 trivial tests: wall | tests/s | passed | first run (bake, push, pulls) |"
  echo "|---|---|---|---|---|---|"
  for nodes in "${@:-1 2 3}"; do
    for n in $nodes; do
      eval "$(bash "$CLUSTER" up "$n" | sed 's/^/export /')"
      read -r cold _ < <(run $((2 * n)) "FullyQualifiedName~ManyTests.T00")
      read -r wall passed < <(run $((2 * n)) "ClassName=ManyTestsFixture.ManyTests")
      printf '| %s | %s | %.1f s | %.1f | %s | %.1f s |\n' "$n" $((2 * n)) "$wall" "$(echo "300 / $wall" | bc -l)" "$passed" "$cold"
    done
  done
} | tee "$OUT/cluster.md"
