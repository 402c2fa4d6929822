#!/usr/bin/env bash
# A Docker Swarm of several nodes on this one machine, and a registry they all pull from, for the
# cluster tests and the cluster benchmark. Each node is a dockerd of its own, as a separate machine
# would be: its own network namespace (a dockerd without a bridge of its own would delete the host's
# docker0, and each one's iptables rules must stay its own), its own UTS namespace (host name nN,
# which Swarm shows as the node's name), its own mount namespace in which /run is a folder of its
# own (so its socket, pid file, exec root and containerd are its own, and a container that mounts
# /var/run/docker.sock reaches its own node's engine, as on a real node), its own data root and
# cgroup parent. The nodes and the machine meet on a bridge in a further network namespace (the
# machine's FORWARD policy, DROP under Docker, never sees their traffic), the machine at
# 10.213.0.1, node N at 10.213.0.(10+N). The registry is Debian's docker-registry on 10.213.0.1:5000,
# plain HTTP, which every node lists as an insecure registry.
#
# Usage (as root):
#   swarm-cluster.sh up [NODES]     start NODES nodes (default 3), node 1 the manager; prints the
#                                   variables a run needs (DOCKER_HOST=…, CONTAINERTEST_REGISTRY=…)
#   swarm-cluster.sh kill-node N    node N dies as a machine does: its wire is cut first (no goodbye
#                                   reaches anyone), then every process of it is killed
#   swarm-cluster.sh down           removes everything `up` made (also after a crash of anything)
#   swarm-cluster.sh env            prints the variables again
# CTSWARM_ROOT (default /var/tmp/containertest-swarm) holds the nodes' data; CTSWARM_NAME (default
# ctsw) prefixes the namespaces and interfaces, CTSWARM_NET (default 10.213.0) is the subnet.
set -euo pipefail

NAME="${CTSWARM_NAME:-ctsw}"
ROOT="${CTSWARM_ROOT:-/var/tmp/containertest-swarm}"
NET="${CTSWARM_NET:-10.213.0}"
HOST_IP="$NET.1"
REGISTRY="$HOST_IP:5000"
LAN="$NAME-lan"

say() { printf 'swarm-cluster: %s\n' "$*" >&2; }
die() { printf 'swarm-cluster: %s\n' "$*" >&2; exit 1; }

node_ip() { echo "$NET.$((10 + $1))"; }
node_ns() { echo "$NAME-n$1"; }
node_dir() { echo "$ROOT/n$1"; }
node_sock() { echo "$(node_dir "$1")/run/docker.sock"; }
node_docker() { local n="$1"; shift; docker -H "unix://$(node_sock "$n")" "$@"; }
node_cgroup() { echo "$NAME-n$1"; }

require() {
  [ "$(id -u)" -eq 0 ] || die "needs root (network namespaces, a dockerd per node)."
  local missing=()
  command -v ip >/dev/null || missing+=(iproute2)
  command -v unshare >/dev/null || missing+=(util-linux)
  command -v dockerd >/dev/null || missing+=(docker.io)
  [ -x /usr/bin/docker-registry ] || missing+=(docker-registry)
  if [ ${#missing[@]} -gt 0 ]; then
    command -v apt-get >/dev/null || die "missing: ${missing[*]}, and this is not a Debian/Ubuntu machine."
    say "installing ${missing[*]}"
    apt-get update -qq >/dev/null 2>&1 || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 || die "apt-get install ${missing[*]} failed"
  fi
  command -v docker >/dev/null || die "the docker CLI is missing (apt-get install docker.io)."
}

# Node N's dockerd from its pid file, only while that process still lives in the node's network
# namespace (after a reboot or a hard kill the number may be anyone's by now).
node_dockerd_pid() {
  local n="$1" pid
  pid="$(cat "$(node_dir "$n")/dockerd.pid" 2>/dev/null || true)"
  [ -n "$pid" ] || return 0
  if [ "$(stat -L -c %i "/proc/$pid/ns/net" 2>/dev/null)" = "$(stat -L -c %i "/run/netns/$(node_ns "$n")" 2>/dev/null || echo none)" ]; then
    echo "$pid"
  fi
}

# Every process of node N: the daemons and shims (in its network namespace) and its containers (in its cgroup).
node_pids() {
  local n="$1" ns
  ns="$(node_ns "$n")"
  { ip netns pids "$ns" 2>/dev/null || true
    cat /sys/fs/cgroup/pids/"$(node_cgroup "$n")"/cgroup.procs /sys/fs/cgroup/pids/"$(node_cgroup "$n")"/*/cgroup.procs 2>/dev/null || true
    node_dockerd_pid "$n"
  } | sort -un
}

kill_node_processes() {
  local n="$1" pids attempt
  for attempt in $(seq 1 50); do
    pids="$(node_pids "$n" | while read -r pid; do if [ -d "/proc/$pid" ]; then echo "$pid"; fi; done)"
    [ -z "$pids" ] && return 0
    # shellcheck disable=SC2086
    kill -KILL $pids 2>/dev/null || true
    sleep 0.1
  done
  say "node $n: processes still alive after SIGKILL: $pids"
}

cmd_kill_node() {
  local n="${1:?kill-node needs a node number}"
  [ -d "$(node_dir "$n")" ] || die "node $n does not exist (is the cluster up?)"
  ip -n "$LAN" link set "n$n" down 2>/dev/null || true
  kill_node_processes "$n"
  say "node $n killed"
}

cmd_down() {
  local n pid ns dir
  pid="$(cat "$ROOT/registry.pid" 2>/dev/null || true)"
  if [ -n "$pid" ] && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -q "docker-registry serve $ROOT/"; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
  for dir in "$ROOT"/n*; do
    [ -d "$dir" ] || continue
    n="${dir##*/n}"
    # No clean stop: everything of a node is thrown away (its data root with it), and a killed
    # node's processes are all found — in its network namespace and its cgroup — and its mounts
    # live only in its own mount namespace. (A clean stop of a swarm node takes seconds per node.)
    kill_node_processes "$n"
    rmdir /sys/fs/cgroup/*/"$(node_cgroup "$n")"/* /sys/fs/cgroup/*/"$(node_cgroup "$n")" 2>/dev/null || true
    ip netns del "$(node_ns "$n")" 2>/dev/null || true
  done
  # Namespaces of nodes whose folder is gone already (a half-finished earlier `down`).
  for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^$NAME-n[0-9]+$" || true); do
    n="${ns##*-n}"
    kill_node_processes "$n"
    ip netns del "$ns" 2>/dev/null || true
  done
  ip netns del "$LAN" 2>/dev/null || true
  ip link del "$NAME-h" 2>/dev/null || true
  # The nodes' mounts lived in their own mount namespaces, gone with their processes.
  rm -rf "$ROOT"
}

start_node() {
  local n="$1" ns dir ip
  ns="$(node_ns "$n")"
  dir="$(node_dir "$n")"
  ip="$(node_ip "$n")"
  mkdir -p "$dir/run" "$dir/data"
  ip netns add "$ns"
  ip -n "$LAN" link add "n$n" type veth peer name eth0 netns "$ns"
  ip -n "$LAN" link set "n$n" master br0 up
  ip -n "$ns" link set lo up
  ip -n "$ns" addr add "$ip/24" dev eth0
  ip -n "$ns" link set eth0 up
  # The node's own /run (its socket, pid file, exec root, containerd) and host name, then its engine.
  # (nsenter, not `ip netns exec`: that one mounts a fresh /sys, without the cgroup hierarchies dockerd needs.)
  setsid nsenter --net="/run/netns/$ns" unshare --uts --mount --propagation slave -- sh -c "
      hostname n$n && mount --bind '$dir/run' /run && exec dockerd \
        --data-root '$dir/data' --exec-root /run/docker --pidfile /run/docker.pid -H unix:///run/docker.sock \
        --insecure-registry '$REGISTRY' --cgroup-parent '/$(node_cgroup "$n")' --log-level warn" \
    </dev/null >"$dir/dockerd.log" 2>&1 &
  echo $! >"$dir/dockerd.pid"
}

wait_for_node() {
  local n="$1"
  for _ in $(seq 1 120); do
    node_docker "$n" version >/dev/null 2>&1 && return 0
    kill -0 "$(cat "$(node_dir "$n")/dockerd.pid")" 2>/dev/null || break
    sleep 0.5
  done
  tail -n 20 "$(node_dir "$n")/dockerd.log" >&2 || true
  die "node $n's dockerd did not answer (log: $(node_dir "$n")/dockerd.log)"
}

start_registry() {
  mkdir -p "$ROOT/registry"
  cat >"$ROOT/registry/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $ROOT/registry/storage
  delete:
    enabled: true
http:
  addr: $REGISTRY
  secret: $(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
EOF
  setsid /usr/bin/docker-registry serve "$ROOT/registry/config.yml" </dev/null >"$ROOT/registry/registry.log" 2>&1 &
  echo $! >"$ROOT/registry.pid"
  for _ in $(seq 1 60); do
    (exec 3<>"/dev/tcp/$HOST_IP/5000") 2>/dev/null && return 0
    sleep 0.25
  done
  tail -n 20 "$ROOT/registry/registry.log" >&2 || true
  die "the registry did not listen on $REGISTRY"
}

cmd_env() {
  echo "DOCKER_HOST=unix://$(node_sock 1)"
  echo "CONTAINERTEST_REGISTRY=$REGISTRY"
}

cmd_up() {
  local nodes="${1:-3}" n token
  [[ "$nodes" =~ ^[1-9]$ ]] || die "the number of nodes must be 1 to 9, not '$nodes'"
  require
  cmd_down
  mkdir -p "$ROOT"
  # The wire: a bridge in a namespace of its own, the machine on it at $HOST_IP.
  ip netns add "$LAN"
  ip -n "$LAN" link set lo up
  ip -n "$LAN" link add br0 type bridge
  ip -n "$LAN" link set br0 up
  ip link add "$NAME-h" type veth peer name h0 netns "$LAN"
  ip -n "$LAN" link set h0 master br0 up
  ip addr add "$HOST_IP/24" dev "$NAME-h"
  ip link set "$NAME-h" up
  start_registry
  for n in $(seq 1 "$nodes"); do
    start_node "$n"
  done
  for n in $(seq 1 "$nodes"); do
    wait_for_node "$n"
  done
  # A short heartbeat, so a node that dies is known to be down within seconds, not tens of them.
  node_docker 1 swarm init --advertise-addr "$(node_ip 1)" --listen-addr "$(node_ip 1):2377" --dispatcher-heartbeat 1s >/dev/null
  token="$(node_docker 1 swarm join-token -q worker)"
  for n in $(seq 2 "$nodes"); do
    node_docker "$n" swarm join --token "$token" --advertise-addr "$(node_ip "$n")" --listen-addr "$(node_ip "$n"):2377" "$(node_ip 1):2377" >/dev/null
  done
  for _ in $(seq 1 120); do
    [ "$(node_docker 1 node ls --format '{{.Status}}' | grep -c '^Ready$')" -eq "$nodes" ] && { cmd_env; return 0; }
    sleep 0.5
  done
  node_docker 1 node ls >&2 || true
  die "not all $nodes nodes became Ready"
}

case "${1:-}" in
  up) cmd_up "${2:-3}" ;;
  down) cmd_down ;;
  kill-node) cmd_kill_node "${2:-}" ;;
  env) cmd_env ;;
  *) die "usage: swarm-cluster.sh up [NODES] | kill-node N | down | env" ;;
esac
