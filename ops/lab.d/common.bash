# ops/lab.d/common.bash, sourced by ops/lab: messages, checks and the helpers every command uses.
# shellcheck shell=bash
# shellcheck disable=SC2034 # CURRENT_STEP is read by net.bash

# ---------------------------------------------------------------- messages

# Never fail on a closed output (e.g. `ops/lab down | head -1`): see main().
say() { { printf 'ops/lab: %s\n' "$*"; } 2>/dev/null || true; }
warn() { printf 'ops/lab: %s\n' "$*" >&2 || true; }
die() { warn "$*"; exit 1; }
usage_error() { warn "$*"; short_usage >&2; exit 2; }

CURRENT_STEP=""

# step DESCRIPTION CMD...: run CMD; on failure report the step and its output.
step() {
  local desc=$1 out
  shift
  CURRENT_STEP=$desc
  if ! out=$("$@" 2>&1); then
    warn "$COMMAND failed at step: $desc"
    [[ -n $out ]] && printf '%s\n' "$out" | sed 's|^|ops/lab:   |' >&2
    return 1
  fi
}

# ---------------------------------------------------------------- checks

require_root() {
  if [[ $(id -u) != 0 ]]; then
    warn "needs root (or CAP_NET_ADMIN and CAP_NET_RAW) to create network namespaces"
    exit 1
  fi
}

require_tools() {
  local t missing=()
  for t in "$@"; do
    command -v "$t" >/dev/null 2>&1 || missing+=("$t")
  done
  ((${#missing[@]} == 0)) || die "missing tools: ${missing[*]} (install iproute2, ethtool, util-linux, coreutils, jq)"
}

check_prefix() {
  [[ $PREFIX =~ ^[A-Za-z0-9][A-Za-z0-9_-]{0,19}$ ]] ||
    usage_error "UNDERSTUDY_LAB must be 1-20 characters of letters, digits, '_' or '-' (starting with a letter or digit), got '$PREFIX'"
}

is_host() {
  local h
  for h in "${HOSTS[@]}"; do [[ $1 == "$h" ]] && return 0; done
  return 1
}

ns_of() { printf '%s-%s' "$PREFIX" "$1"; }

all_namespaces() {
  local h
  printf '%s\n' "$LAN_NS"
  for h in "${HOSTS[@]}"; do ns_of "$h"; echo; done
}

ns_exists() {
  # `ip netns list` prints "NAME" or "NAME (id: N)"
  ip netns list 2>/dev/null | awk -v n="$1" '$1 == n { f = 1 } END { exit !f }'
}

# IPv4 addresses (CIDR) of the host's eth0, one per line.
host_addresses() {
  ip -n "$(ns_of "$1")" -4 -o addr show dev "$IFACE" 2>/dev/null | awk '{ print $4 }'
}

# True when every piece of the lab is there and the last `up` finished.
lab_is_up() {
  local h ns
  [[ -f $UP_MARKER ]] || return 1
  while read -r ns; do ns_exists "$ns" || return 1; done < <(all_namespaces)
  ip -n "$LAN_NS" -o link show dev "$BRIDGE" up 2>/dev/null | grep -q . || return 1
  for h in "${HOSTS[@]}"; do
    ip -n "$LAN_NS" -o link show dev "$h" 2>/dev/null | grep -q "master $BRIDGE" || return 1
    ns=$(ns_of "$h")
    ip -n "$ns" -o link show dev "$IFACE" up 2>/dev/null | grep -q . || return 1
    host_addresses "$h" | grep -qx "${ADDR[$h]}/$NETMASK" || return 1
  done
  return 0
}

# True when anything of the lab exists (namespaces or state dir).
lab_any_present() {
  local ns
  [[ -e $STATE ]] && return 0
  while read -r ns; do ns_exists "$ns" && return 0; done < <(all_namespaces)
  return 1
}

lab_state() {
  if lab_is_up; then echo up
  elif lab_any_present; then echo partial
  else echo down
  fi
}

# Hosts whose eth0 holds the VIP, one per line.
vip_holders() {
  local h
  for h in "${HOSTS[@]}"; do
    ns_exists "$(ns_of "$h")" || continue
    host_addresses "$h" | grep -qx "$VIP/$NETMASK" && echo "$h"
  done
  return 0
}

pid_file() { printf '%s/%s-%s.pid' "$STATE" "$1" "$2"; }  # KIND HOST
# KIND HOST; the runner writes into the node's log.
log_file() { printf '%s/%s-%s.log' "$STATE" "${1/#runner/node}" "$2"; }
role_file() { printf '%s/role-%s' "$STATE" "$1"; }  # HOST

# The recorded role of a server (primary/backup), or nothing.
read_role() {
  local f r
  f=$(role_file "$1")
  [[ -s $f ]] || return 1
  r=$(<"$f")
  [[ $r == primary || $r == backup ]] || return 1
  echo "$r"
}

# The other server.
other_server() { if [[ $1 == primary ]]; then echo backup; else echo primary; fi; }

read_pid() {
  local f
  f=$(pid_file "$1" "$2")
  [[ -s $f ]] || return 1
  local pid
  pid=$(<"$f")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  echo "$pid"
}

# Alive = the pid exists and still lives in that host's namespace (guards
# against a recycled pid).
pid_alive() {
  local pid=$1 ns=$2
  [[ -d /proc/$pid ]] || return 1
  [[ $(ip netns identify "$pid" 2>/dev/null) == "$ns" ]]
}

# ---------------------------------------------------------------- CPU share per host

# With UNDERSTUDY_LAB_HOST_CPU=1, each host's processes share one CPU weight, as separate machines on one hypervisor
# would: the lab's hosts share two cores, and otherwise the scheduler weighs threads, not hosts. The client's
# loadgen runs a thread per connection, and at 2,000 connections all of them wake at a takeover. A cgroup per host
# (cgroup v1 cpu, or v2 with the cpu controller), equal weights, the lab's parent weighing as much as its hosts.
# Off by default: what runs outside the lab (ops/lab itself, a test runner) then weighs a quarter of the lab, and
# ops/lab fail took 6-17 s instead of 1-2 s under load; the lab's tests are timed for the default.

# Where the lab's cgroups are (or would be); empty without a cpu controller the lab can use.
cpu_cgroup_base() {
  if [[ -w /sys/fs/cgroup/cpu/cgroup.procs ]]; then
    printf '/sys/fs/cgroup/cpu/understudy-lab-%s' "$PREFIX"
  elif grep -qw cpu /sys/fs/cgroup/cgroup.subtree_control 2>/dev/null; then
    # cgroup v2 with the cpu controller already on for the root's children (the lab does not turn it on there)
    printf '/sys/fs/cgroup/understudy-lab-%s' "$PREFIX"
  fi
}

create_host_cgroups() {
  local base h
  [[ ${UNDERSTUDY_LAB_HOST_CPU:-0} == 1 ]] || return 0
  base=$(cpu_cgroup_base)
  if [[ -z $base ]]; then
    say "no writable cgroup cpu controller: the hosts' processes share the CPU thread by thread"
    return 0
  fi
  mkdir -p "$base" || return 1
  # The lab as a whole weighs as much as its hosts together, against whatever else runs (a test runner's JVM).
  if [[ $base == /sys/fs/cgroup/cpu/* ]]; then
    echo $((1024 * ${#HOSTS[@]})) >"$base/cpu.shares" || return 1
  else
    echo $((100 * ${#HOSTS[@]})) >"$base/cpu.weight" || return 1
    echo +cpu >"$base/cgroup.subtree_control" || return 1
  fi
  for h in "${HOSTS[@]}"; do mkdir -p "$base/$h" || return 1; done
}

# join_host_cgroup HOST PID: PID (and what it starts later) takes HOST's CPU share; a no-op without cgroups.
join_host_cgroup() {
  local base
  base=$(cpu_cgroup_base)
  [[ -n $base && -d $base/$1 ]] || return 0
  echo "$2" >"$base/$1/cgroup.procs" 2>/dev/null || warn "could not put pid $2 in $1's CPU share ($base/$1)"
}

# Removes the hosts' cgroups once their processes are gone; returns 1 naming what is left.
remove_host_cgroups() {
  local base h i
  base=$(cpu_cgroup_base)
  [[ -n $base && -d $base ]] || return 0
  for h in "${HOSTS[@]}"; do
    [[ -d $base/$h ]] || continue
    for ((i = 0; i < 50; i++)); do
      rmdir "$base/$h" 2>/dev/null && break
      sleep 0.1
    done
  done
  rmdir "$base" 2>/dev/null && say "removed cgroup $base" && return 0
  warn "FAILED to remove cgroup $base (processes left: $(cat "$base"/*/cgroup.procs 2>/dev/null | tr '\n' ' '))"
  return 1
}
