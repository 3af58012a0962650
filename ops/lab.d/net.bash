# ops/lab.d/net.bash, sourced by ops/lab: the LAN (namespaces, bridge, veths, addresses): up, down and exec.
# shellcheck shell=bash

# ---------------------------------------------------------------- down

# Remove everything; safe on a half-built lab. Returns 1 if something remains.
teardown() {
  local ns removed=0 failed=0 left=() frozen="" mode host
  # A host frozen by fail host-crash or pause gets SIGKILL at once (as heal does).
  if [[ -f $FAIL_ACTIVE ]] && read -r mode host _ <"$FAIL_ACTIVE" && [[ $mode == host-crash || $mode == pause ]]; then
    frozen=$(ns_of "$host")
  fi
  # Host namespaces first (their processes), the bridge namespace last.
  for ns in $(all_namespaces | tac); do
    ns_exists "$ns" || continue
    if [[ $ns == "$frozen" ]]; then
      kill_ns_processes "$ns" KILL || failed=1
    else
      kill_ns_processes "$ns" || failed=1
    fi
  done
  for ns in $(all_namespaces | tac); do
    ns_exists "$ns" || continue
    if ip netns delete "$ns"; then
      say "deleted namespace $ns"
      removed=1
    else
      failed=1
    fi
  done
  if [[ -e $STATE ]]; then
    rm -rf -- "$STATE" && say "removed $STATE" && removed=1
  fi
  if [[ -n $(cpu_cgroup_base) && -d $(cpu_cgroup_base) ]]; then
    remove_host_cgroups && removed=1
  fi

  for ns in $(all_namespaces); do ns_exists "$ns" && left+=("namespace $ns"); done
  [[ -e $STATE ]] && left+=("$STATE")
  [[ -n $(cpu_cgroup_base) && -d $(cpu_cgroup_base) ]] && left+=("cgroup $(cpu_cgroup_base)")
  if ((${#left[@]} > 0)); then
    warn "FAILED to remove: ${left[*]}"
    return 1
  fi
  ((failed == 0)) || return 1
  ((removed)) || say "nothing to remove: lab '$PREFIX' was already down"
  return 0
}

cmd_down() {
  (($# == 0)) || usage_error "down takes no arguments"
  teardown || die "down did not finish cleanly (see above)"
}

# ---------------------------------------------------------------- up

up_abort() {
  trap - INT TERM
  warn "tearing down what was made"
  teardown >&2 || true
  exit 1
}

on_up_signal() {
  warn "interrupted during: ${CURRENT_STEP:-up}"
  up_abort
}

disable_ipv6() {
  local ns=$1
  # No IPv6 stack at all (ipv6.disable=1) is fine too.
  ip netns exec "$ns" sh -c '
    [ -d /proc/sys/net/ipv6 ] || exit 0
    echo 1 > /proc/sys/net/ipv6/conf/all/disable_ipv6 &&
    echo 1 > /proc/sys/net/ipv6/conf/default/disable_ipv6'
}

bridge_is_hub() {
  local d
  d=$(ip -n "$LAN_NS" -d link show dev "$BRIDGE")
  grep -q 'ageing_time 0 ' <<<"$d" || { echo "ageing_time is not 0: $d"; return 1; }
  grep -q 'stp_state 0 ' <<<"$d" || { echo "stp is on: $d"; return 1; }
  grep -q 'mcast_snooping 0 ' <<<"$d" || { echo "multicast snooping is on: $d"; return 1; }
}

# Reachability from the client: ping if there is one, else a TCP probe to a
# closed port (a "connection refused" proves the round trip).
probe() {
  local dst=$1 ns out
  ns=$(ns_of client)
  if command -v ping >/dev/null 2>&1; then
    ip netns exec "$ns" ping -n -q -c 1 -W 2 "$dst"
  else
    out=$(ip netns exec "$ns" timeout 3 bash -c "exec 3<>/dev/tcp/$dst/9" 2>&1) && return 0
    grep -qi refused <<<"$out" && return 0
    echo "no answer from $dst (TCP probe: ${out:-timeout})"
    return 1
  fi
}

write_marker() { date -u +%FT%TZ >"$UP_MARKER"; }

build_lab() {
  local h ns
  step "create state dir $STATE" mkdir -p "$STATE" || return 1
  step "create a CPU share per host" create_host_cgroups || return 1
  step "create namespace $LAN_NS" ip netns add "$LAN_NS" || return 1
  for h in "${HOSTS[@]}"; do
    step "create namespace $(ns_of "$h")" ip netns add "$(ns_of "$h")" || return 1
  done
  while read -r ns; do
    step "disable IPv6 in $ns" disable_ipv6 "$ns" || return 1
    step "bring up lo in $ns" ip -n "$ns" link set lo up || return 1
  done < <(all_namespaces)

  step "create bridge $BRIDGE in $LAN_NS" \
    ip -n "$LAN_NS" link add "$BRIDGE" type bridge \
    ageing_time 0 stp_state 0 forward_delay 0 mcast_snooping 0 || return 1
  step "bring up $BRIDGE" ip -n "$LAN_NS" link set "$BRIDGE" up || return 1
  step "check that $BRIDGE floods like a hub" bridge_is_hub || return 1

  for h in "${HOSTS[@]}"; do
    ns=$(ns_of "$h")
    step "create veth $h ($LAN_NS) <-> $IFACE ($ns)" \
      ip -n "$LAN_NS" link add "$h" type veth peer name "$IFACE" netns "$ns" || return 1
    step "attach $h to $BRIDGE" ip -n "$LAN_NS" link set "$h" master "$BRIDGE" up || return 1
    step "address ${ADDR[$h]}/$NETMASK on $ns $IFACE" \
      ip -n "$ns" addr add "${ADDR[$h]}/$NETMASK" dev "$IFACE" || return 1
    step "bring up $IFACE in $ns" ip -n "$ns" link set "$IFACE" up || return 1
    # veth leaves TCP checksums to an offload that never happens, so captures (the backup's tap, tcpdump)
    # would see wrong checksums; computing them in software makes every frame on the LAN real.
    step "checksums in software on $ns $IFACE" \
      ip netns exec "$ns" ethtool -K "$IFACE" tx-checksumming off >/dev/null || return 1
  done
  step "VIP $VIP/$NETMASK on $(ns_of primary) $IFACE" \
    ip -n "$(ns_of primary)" addr add "$VIP/$NETMASK" dev "$IFACE" || return 1

  for h in primary backup; do
    step "client reaches $h (${ADDR[$h]})" probe "${ADDR[$h]}" || return 1
  done
  step "client reaches the VIP ($VIP)" probe "$VIP" || return 1
  step "write $UP_MARKER" write_marker || return 1
}

cmd_up() {
  (($# == 0)) || usage_error "up takes no arguments"
  require_tools ip awk grep sed tac timeout ethtool
  case $(lab_state) in
    up)
      say "lab '$PREFIX' is already up (VIP held by: $(vip_holders | paste -sd, - | sed 's/^$/nobody/'))"
      return 0
      ;;
    partial)
      say "lab '$PREFIX' is partially up: tearing it down first"
      teardown || die "could not clear the partial lab; fix the above and run ops/lab down"
      ;;
  esac
  trap on_up_signal INT TERM
  build_lab || up_abort
  trap - INT TERM
  print_up_summary 2>/dev/null || true
}

print_up_summary() {
  local h
  say "lab '$PREFIX' is up: bridge $BRIDGE in $LAN_NS (hub mode)"
  for h in "${HOSTS[@]}"; do
    printf '  %-8s %-16s %s\n' "$h" "$(ns_of "$h")" "$(host_addresses "$h" | paste -sd' ' -)"
  done
  command -v ping >/dev/null 2>&1 && echo "  try: ops/lab exec client ping -c1 $VIP"
  return 0
}

# HOST's port of the bridge is administratively up.
lan_port_up() {
  ns_exists "$LAN_NS" && ip -n "$LAN_NS" -o link show dev "$1" up 2>/dev/null | grep -q .
}

# ---------------------------------------------------------------- exec

cmd_exec() {
  (($# >= 1)) || usage_error "exec needs a host: client, primary or backup"
  local h=$1 ns
  shift
  is_host "$h" || usage_error "exec: unknown host '$h' (hosts: ${HOSTS[*]})"
  (($# >= 1)) || usage_error "exec $h: no command given"
  ns=$(ns_of "$h")
  ns_exists "$ns" || die "lab '$PREFIX' is down (no namespace $ns); run ops/lab up"
  join_host_cgroup "$h" $$
  exec ip netns exec "$ns" "$@"
}
