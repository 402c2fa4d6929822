#!/usr/bin/env bash
# ContainerTest's one entry point.
#   ./build.sh docker   make sure a Docker Engine answers (installs and starts one on Debian/Ubuntu as root)
#   ./build.sh test     build everything, run every test project, print "N passed, N failed, N skipped"
#   ./build.sh pack     write the NuGet packages to artifacts/packages/
#   ./build.sh demo     set everything up and run the samples with per-test containers
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ARTIFACTS="$ROOT/artifacts"
CONFIGURATION="${CONFIGURATION:-Release}"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'build.sh: %s\n' "$*" >&2; exit 1; }

engine_answers() { docker info >/dev/null 2>&1; }

# Packages the tests need besides Docker: a static busybox for the small test image and the
# shell's toolbox, Debian's docker-registry for the local registry the pull tests push to,
# tmux, the real terminal the shell tests type into, gcc for the system-call probe the
# seccomp tests build (and for the VM's init), redis-server, from which the shared-service tests
# build their image, and QEMU for the qemu backend's tests.
TEST_PACKAGES=(busybox-static docker-registry tmux gcc libc6-dev redis-server qemu-system-x86)

apt_install() {
  local missing=()
  for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  [ "$(id -u)" -eq 0 ] || die "missing packages: ${missing[*]}. Install them: sudo apt-get install -y ${missing[*]}"
  command -v apt-get >/dev/null || die "missing packages: ${missing[*]}, and this is not a Debian/Ubuntu machine: install their equivalents."
  say "installing ${missing[*]}"
  if [ ! -f "$ARTIFACTS/.apt-updated" ]; then
    apt-get update -qq >"$ARTIFACTS/apt-update.log" 2>&1 || die "apt-get update failed; see $ARTIFACTS/apt-update.log"
    touch "$ARTIFACTS/.apt-updated"
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >"$ARTIFACTS/apt-install.log" 2>&1 \
    || die "apt-get install ${missing[*]} failed; see $ARTIFACTS/apt-install.log"
}

cmd_docker() {
  mkdir -p "$ARTIFACTS"
  if engine_answers; then
    return 0
  fi
  if [ "$(uname -s)" != "Linux" ] || ! command -v apt-get >/dev/null || [ "$(id -u)" -ne 0 ]; then
    die "no Docker Engine answers ('docker info' failed). Install and start Docker (Docker Desktop, or 'sudo apt-get install docker.io && sudo systemctl start docker'), or set DOCKER_HOST to a running engine."
  fi
  command -v dockerd >/dev/null || apt_install docker.io
  if ! pgrep -x dockerd >/dev/null; then
    # A dockerd killed hard leaves its pid file behind, and the next one refuses to start.
    rm -f /var/run/docker.pid
    say "starting dockerd (log: $ARTIFACTS/dockerd.log)"
    nohup dockerd >"$ARTIFACTS/dockerd.log" 2>&1 &
  fi
  for _ in $(seq 1 60); do
    engine_answers && { say "Docker Engine $(docker version --format '{{.Server.Version}}' 2>/dev/null) answers"; return 0; }
    sleep 1
  done
  tail -n 20 "$ARTIFACTS/dockerd.log" >&2 || true
  die "dockerd did not answer within 60 s; its log is $ARTIFACTS/dockerd.log"
}

# Sums the counters of every TRX file given; prints "passed failed skipped".
trx_counts() {
  local passed=0 failed=0 skipped=0 file counters
  for file in "$@"; do
    counters="$(grep -o '<Counters [^>]*>' "$file" | head -n 1)"
    local total executed p f e t a
    total=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters")
    executed=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
    p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters")
    f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
    e=$(sed -n 's/.* error="\([0-9]*\)".*/\1/p' <<<"$counters")
    t=$(sed -n 's/.* timeout="\([0-9]*\)".*/\1/p' <<<"$counters")
    a=$(sed -n 's/.* aborted="\([0-9]*\)".*/\1/p' <<<"$counters")
    passed=$((passed + ${p:-0}))
    failed=$((failed + ${f:-0} + ${e:-0} + ${t:-0} + ${a:-0}))
    skipped=$((skipped + ${total:-0} - ${executed:-0}))
  done
  echo "$passed $failed $skipped"
}

# The static helpers the package carries (bubblewrap for the sandboxes), built from Debian's sources.
native_helpers() {
  "$ROOT/nuget/native/build.sh" || die "building the sandbox helper failed (see above); without it tests run one container each"
}

# The kernel the qemu backend's VMs boot: Debian's linux-image-amd64, unpacked into the runtime
# cache (nothing installed, /boot untouched). apt needs its package lists for `apt-get download`.
guest_kernel() {
  if [ ! -f "$ARTIFACTS/.apt-updated" ] && [ "$(id -u)" -eq 0 ] && ! "$ROOT/nuget/native/kernel.sh" >/dev/null 2>&1; then
    apt-get update -qq >"$ARTIFACTS/apt-update.log" 2>&1 || die "apt-get update failed; see $ARTIFACTS/apt-update.log"
    touch "$ARTIFACTS/.apt-updated"
  fi
  "$ROOT/nuget/native/kernel.sh" >/dev/null || die "getting a kernel for the VM tests failed (see above)"
}

leftover_containers() {
  local kind count=0
  for kind in job worker; do
    count=$((count + $(docker ps -aq --filter "label=io.containertest.managed=true" --filter "label=io.containertest.kind=$kind" 2>/dev/null | wc -l)))
  done
  echo "$count"
}

# Runs one test project, keeping its whole output in <results>/<name>.log and its TRX beside it,
# and prints each test's outcome and the first lines of each failure's message.
run_test_project() {
  local project="$1" results="$2" name
  name="$(basename "$project" .csproj)"
  dotnet test "$project" -c "$CONFIGURATION" --no-build --nologo \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" \
      --results-directory "$results" 2>&1 | tee "$results/$name.log" | awk '
        /^[[:space:]]*Error Message:/ { print; message = 6; next }
        /^[[:space:]]*Stack Trace:/ { print; message = 0; next }
        message > 0 { print; message--; next }
        /^[[:space:]]+(Passed|Failed|Skipped) |^Total tests|^[[:space:]]+(Passed|Failed|Skipped):/ { print }' || true
}

cmd_test() {
  cmd_docker
  apt_install "${TEST_PACKAGES[@]}"
  native_helpers
  guest_kernel
  say "building ($CONFIGURATION)"
  dotnet build "$ROOT/ContainerTest.sln" -c "$CONFIGURATION" -nologo -clp:ErrorsOnly >"$ARTIFACTS/build.log" 2>&1 \
    || { tail -n 40 "$ARTIFACTS/build.log" >&2; die "build failed; full log: $ARTIFACTS/build.log"; }
  # The solution holds every test project the tests run as they are: built once here, in one
  # build, instead of once per test class (an up-to-date build costs 10-25 s on 2 cores).
  export CONTAINERTEST_SUITE_SOLUTION_BUILT=1

  local results="$ARTIFACTS/test-results" crashed=0 project name
  rm -rf "$results"
  mkdir -p "$results"
  # TestAdapter.Tests (real dotnet test runs, most of the suite's time) runs beside the other
  # projects, one after another: the machine has idle time while engines, VMs and test hosts wait
  # on each other (29 min one after another on the 2-core CI machine). The projects the tests
  # build reference src/ with --no-dependencies (CONTAINERTEST_SUITE_SOLUTION_BUILT): src/ was
  # built above, and two builds of one project at once would race on its output.
  # Each project's whole output is in its own log; the one running beside is printed when it ends.
  local beside="$ROOT/tests/TestAdapter.Tests/TestAdapter.Tests.csproj" beside_pid=""
  if [ -f "$beside" ]; then
    say "testing TestAdapter.Tests (beside the next ones; its results follow theirs)"
    run_test_project "$beside" "$results" >"$results/TestAdapter.Tests.summary" 2>&1 &
    beside_pid=$!
  fi
  # Cli.Tests last: its terminal tests wait on a shell's prompt, and TestAdapter.Tests opens with
  # its heaviest minutes (runs killed under the load of other runs beside them).
  local project_list=()
  for project in "$ROOT"/tests/*/*.Tests.csproj; do
    [ "$project" = "$beside" ] || [[ "$project" == */Cli.Tests.csproj ]] || project_list+=("$project")
  done
  [ -f "$ROOT/tests/Cli.Tests/Cli.Tests.csproj" ] && project_list+=("$ROOT/tests/Cli.Tests/Cli.Tests.csproj")
  for project in "${project_list[@]}"; do
    say "testing $(basename "$project" .csproj)"
    run_test_project "$project" "$results"
  done
  if [ -n "$beside_pid" ]; then
    wait "$beside_pid" || true
    say "TestAdapter.Tests"
    cat "$results/TestAdapter.Tests.summary"
  fi
  for project in "$ROOT"/tests/*/*.Tests.csproj; do
    name="$(basename "$project" .csproj)"
    if [ ! -f "$results/$name.trx" ]; then
      say "$name produced no results (crashed?); see $results/$name.log"
      crashed=$((crashed + 1))
    fi
  done

  local counts passed failed skipped leaked
  shopt -s nullglob
  local trx=("$results"/*.trx)
  counts="$(trx_counts "${trx[@]}")"
  read -r passed failed skipped <<<"$counts"
  failed=$((failed + crashed))
  leaked="$(leftover_containers)"
  if [ "$leaked" -gt 0 ]; then
    say "$leaked job or worker container(s) left behind after the tests: that is a bug (docker ps -a --filter label=io.containertest.managed=true)"
    failed=$((failed + 1))
  fi
  echo "$passed passed, $failed failed, $skipped skipped"
  [ "$failed" -eq 0 ]
}

cmd_pack() {
  mkdir -p "$ARTIFACTS/packages"
  native_helpers
  say "packing ($CONFIGURATION) into $ARTIFACTS/packages"
  local project
  for project in "$ROOT/nuget/ContainerTest/ContainerTest.csproj" "$ROOT/src/Cli/Cli.csproj"; do
    dotnet pack "$project" -c "$CONFIGURATION" -nologo -clp:ErrorsOnly -o "$ARTIFACTS/packages" >>"$ARTIFACTS/pack.log" 2>&1 \
      || { tail -n 40 "$ARTIFACTS/pack.log" >&2; die "pack of $(basename "$project") failed; full log: $ARTIFACTS/pack.log"; }
  done
  ls -1 "$ARTIFACTS/packages"/*.nupkg
}

cmd_demo() {
  cmd_docker
  native_helpers
  say "building ($CONFIGURATION)"
  dotnet build "$ROOT/ContainerTest.sln" -c "$CONFIGURATION" -nologo -clp:ErrorsOnly >"$ARTIFACTS/build.log" 2>&1 \
    || { tail -n 40 "$ARTIFACTS/build.log" >&2; die "build failed; full log: $ARTIFACTS/build.log"; }
  cmd_pack
  local sample name
  for sample in "$ROOT"/samples/*/*.csproj; do
    name="$(basename "$sample" .csproj)"
    echo
    say "dotnet test $name — every test in a fresh sandbox of its own"
    # Detailed console output shows, per test, its outcome and the sandbox (or container) it ran in.
    dotnet test "$sample" -c "$CONFIGURATION" --no-build --nologo --logger "console;verbosity=detailed" 2>&1 \
      | grep -E '^\s+(Passed|Failed|Skipped) |ran in (container|sandbox)|^\s*(Passed|Failed)!|fails on purpose' \
      | sed -E 's/^ *ContainerTest: ran in (container|sandbox) /      \1 /' || true
  done
  echo
  say "Each test above ran in its own sandbox (distinct ids): the isolation tests that fail when run"
  say "together natively pass here, and the one failure per sample is deliberate."
}

case "${1:-}" in
  docker) cmd_docker ;;
  test) cmd_test ;;
  pack) cmd_pack ;;
  demo) cmd_demo ;;
  *) echo "usage: ./build.sh docker|test|pack|demo" >&2; exit 2 ;;
esac
