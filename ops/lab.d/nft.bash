# ops/lab.d/nft.bash, sourced by ops/lab: the nftables tables: the guard, the partition and the tap loss (tap-loss).
# shellcheck shell=bash
# shellcheck disable=SC2034 # read_tap_loss sets TAP_LOSS_* for status.bash

# ---------------------------------------------------------------- guard, partition (nftables)

# nft_in HOST|lan ARGS...: nft in that namespace.
nft_in() {
  local where=$1 ns
  shift
  if [[ $where == lan ]]; then ns=$LAN_NS; else ns=$(ns_of "$where"); fi
  ip netns exec "$ns" nft "$@"
}

# Sum of the "counter packets N" of every rule in a chain: nft_drops WHERE TABLE CHAIN
# (TABLE as "FAMILY NAME"); nothing when the table is not there.
nft_drops() {
  local out
  # shellcheck disable=SC2086 # TABLE is "FAMILY NAME"
  out=$(nft_in "$1" list chain $2 "$3" 2>/dev/null) || return 0
  awk '{ for (i = 1; i < NF; i++) if ($i == "packets") n += $(i + 1) } END { print n + 0 }' <<<"$out"
}

# shellcheck disable=SC2086 # GUARD_TABLE and PARTITION_TABLE are "FAMILY NAME"
guard_present() { ns_exists "$(ns_of "$1")" && nft_in "$1" list table $GUARD_TABLE >/dev/null 2>&1; }
# shellcheck disable=SC2086
partition_present() { ns_exists "$LAN_NS" && nft_in lan list table $PARTITION_TABLE >/dev/null 2>&1; }

# The servers that have the guard table, one per line.
guard_hosts() {
  local h
  for h in "${SERVERS[@]}"; do guard_present "$h" && echo "$h"; done
  return 0
}

# guard_install HOST SERVICE_PORT (replaces an existing one: a fresh set).
guard_install() {
  local h=$1 port=$2
  guard_delete "$h"
  nft_in "$h" -f - <<EOF
table $GUARD_TABLE {
  set $GUARD_SET {
    type ipv4_addr . inet_service . ipv4_addr . inet_service
    flags timeout
    timeout $GUARD_TIMEOUT
  }
  chain $GUARD_CHAIN {
    type filter hook output priority filter; policy accept;
    ip saddr $VIP tcp sport $port tcp flags & (fin | rst) != 0 ip daddr . tcp dport . ip saddr . tcp sport != @$GUARD_SET counter drop comment "understudy guard: FIN/RST from the VIP not authorized"
  }
}
EOF
}

guard_delete() {
  # shellcheck disable=SC2086
  ! guard_present "$1" || nft_in "$1" delete table $GUARD_TABLE
}

# The guard belongs only to the VIP holder: delete it from every other server,
# install it on the holder when missing. Says what it changed.
guard_follow_vip() {
  local port=$1 holder h
  holder=$(vip_holders | grep -vx client | head -n 1) || true
  for h in "${SERVERS[@]}"; do
    [[ $h == "$holder" ]] && continue
    if guard_present "$h"; then
      step "delete the guard ($GUARD_TABLE) on $h" guard_delete "$h" || return 1
      say "guard: deleted $GUARD_TABLE on $h (it does not hold the VIP)"
    fi
  done
  if [[ -z $holder ]]; then
    say "guard: nobody holds the VIP, so no host has the guard"
  elif ! guard_present "$holder"; then
    step "install the guard ($GUARD_TABLE) on $holder" guard_install "$holder" "$port" || return 1
    say "guard: installed $GUARD_TABLE on $holder (the VIP holder)"
  fi
}

partition_install() {
  local ports="{ $CLUSTER_PORT, $FD_SOCK_PORTS }"
  nft_in lan -f - <<EOF
table $PARTITION_TABLE {
  chain $PARTITION_CHAIN {
    type filter hook forward priority filter; policy accept;
    iifname "primary" oifname "backup" tcp dport $ports counter drop
    iifname "primary" oifname "backup" tcp sport $ports counter drop
    iifname "backup" oifname "primary" tcp dport $ports counter drop
    iifname "backup" oifname "primary" tcp sport $ports counter drop
    iifname "primary" oifname "backup" udp dport $FAST_HEARTBEAT_PORT counter drop
    iifname "backup" oifname "primary" udp dport $FAST_HEARTBEAT_PORT counter drop
  }
}
EOF
}

partition_delete() {
  # shellcheck disable=SC2086
  ! partition_present || nft_in lan delete table $PARTITION_TABLE
}

# shellcheck disable=SC2086 # TAP_LOSS_TABLE is "FAMILY NAME"
tap_loss_present() { ns_exists "$LAN_NS" && nft_in lan list table $TAP_LOSS_TABLE >/dev/null 2>&1; }

# Sets TAP_LOSS_PERCENT TAP_LOSS_PORT TAP_LOSS_HOST from the state file; false when absent.
read_tap_loss() {
  TAP_LOSS_PERCENT="" TAP_LOSS_PORT="" TAP_LOSS_HOST=""
  [[ -s $TAP_LOSS_FILE ]] || return 1
  read -r TAP_LOSS_PERCENT TAP_LOSS_PORT TAP_LOSS_HOST <"$TAP_LOSS_FILE" || true
  [[ -n $TAP_LOSS_HOST ]]
}

# The MAC address of HOST's eth0.
host_mac() {
  ip -n "$(ns_of "$1")" -o link show dev "$IFACE" |
    awk '{ for (i = 1; i < NF; i++) if ($i == "link/ether") print $(i + 1) }'
}

# tap_loss_install HOST PERCENT PORT MAC (replaces one in effect). Frames to or from the VIP's service port that
# leave the bridge through HOST's port but are addressed to another MAC: the copies HOST's tap overhears.
tap_loss_install() {
  local h=$1 percent=$2 port=$3 mac=$4 match lose
  match="oifname \"$h\" ether daddr != $mac"
  lose="numgen random mod 100 < $percent counter drop"
  tap_loss_delete
  nft_in lan -f - <<EOF
table $TAP_LOSS_TABLE {
  chain $TAP_LOSS_CHAIN {
    type filter hook forward priority filter; policy accept;
    $match ip daddr $VIP tcp dport $port $lose comment "understudy tap loss: client to VIP"
    $match ip saddr $VIP tcp sport $port $lose comment "understudy tap loss: VIP to client"
  }
}
EOF
}

tap_loss_delete() {
  # shellcheck disable=SC2086
  ! tap_loss_present || nft_in lan delete table $TAP_LOSS_TABLE
}

tap_loss_off() {
  require_tools ip nft
  if ! tap_loss_present; then
    rm -f -- "$TAP_LOSS_FILE"
    say "no tap loss in effect"
    return 0
  fi
  step "delete $TAP_LOSS_TABLE in $LAN_NS" tap_loss_delete || exit 1
  rm -f -- "$TAP_LOSS_FILE"
  say "tap loss off: deleted $TAP_LOSS_TABLE in $LAN_NS"
}

cmd_tap_loss() {
  (($# == 1)) || usage_error "tap-loss takes one argument: PERCENT (1-99) or off"
  local arg=$1 percent h mac
  if [[ $arg == off ]]; then
    tap_loss_off
    return 0
  fi
  if [[ ! $arg =~ ^[0-9]{1,2}$ ]] || ((10#$arg < 1)); then
    usage_error "tap-loss: PERCENT must be an integer 1-99 (or off), got '$arg'"
  fi
  percent=$((10#$arg))
  require_tools ip nft awk
  lab_is_up || die "lab '$PREFIX' is not up; run ops/lab up and ops/lab start first"
  read_app_params || die "nothing is started in lab '$PREFIX'; run ops/lab start first"
  h=$(current_primary) || exit 1
  h=$(other_server "$h")
  mac=$(host_mac "$h")
  [[ $mac =~ ^([0-9a-f]{2}:){5}[0-9a-f]{2}$ ]] || die "cannot read the MAC address of $h's $IFACE (got '$mac')"
  step "install $TAP_LOSS_TABLE in $LAN_NS" tap_loss_install "$h" "$percent" "$SERVICE_PORT" "$mac" || exit 1
  echo "$percent $SERVICE_PORT $h" >"$TAP_LOSS_FILE" || die "cannot record the tap loss in $STATE"
  say "tap loss: dropping $percent % of the TCP frames to/from $VIP:$SERVICE_PORT that bridge port $h forwards" \
    "to $h's tap ($TAP_LOSS_TABLE in $LAN_NS, with counters); heartbeats and other traffic pass"
}
