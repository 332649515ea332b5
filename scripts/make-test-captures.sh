#!/usr/bin/env bash
# Makes the small captures in test/fixtures/pcaps on this machine: real traffic between the
# kernel's own TCP/IP stacks (payloads made up by scripts/test-traffic.mjs), inside private
# network namespaces so that nothing else is recorded and nothing leaves the machine. They cover
# what the public captures lack: Linux cooked capture v2 (tcpdump -i any), 802.1Q tags (added
# afterwards, see step 4), IPv6,
# nanosecond pcap, a pcapng with two interfaces of different link types and snap lengths, and
# the PCoIP (4172), Citrix CGP (2598), ICA (1494), Blast (22443) and RDP (3389) ports.
# Needs root, tcpdump, iproute2, util-linux (unshare, nsenter) and Wireshark's mergecap.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${STRATA_CAPTURE_NETNS:-}" ]; then
  exec unshare --net env STRATA_CAPTURE_NETNS=1 bash "$0" "$@"
fi
out=test/fixtures/pcaps
traffic="node scripts/test-traffic.mjs"
ip link set lo up

start_capture() { # file, tcpdump arguments...
  local file=$1
  shift
  tcpdump -U -n -w "$file" "$@" 2>/dev/null &
  capture_pid=$!
  sleep 1
}
stop_capture() {
  sleep 0.5
  kill -INT "$capture_pid"
  wait "$capture_pid" || true
}
serve() { # kind host port
  $traffic serve "$1" "$2" "$3" 10 &
  sleep 0.4
}

# 1. tcpdump -i any writes Linux cooked capture v2: TCP over IPv4, a refused connection, UDP.
start_capture "$out/sll2-any.pcap" -i any
serve tcp 127.0.0.1 8080
$traffic client tcp 127.0.0.1 8080 3
$traffic client tcp 127.0.0.1 9 1 || true # nothing listens on 9: refused with a reset
serve udp 127.0.0.1 3389
$traffic client udp 127.0.0.1 3389 2
stop_capture

# 2. IPv6 on the loopback, nanosecond timestamps: Blast, RDP over UDP, and a server that resets.
start_capture "$out/ipv6-loopback-nano.pcap" -i lo --time-stamp-precision=nano
serve tcp ::1 22443
$traffic client tcp ::1 22443 2
serve udp ::1 3389
$traffic client udp ::1 3389 2
serve tcp-reset ::1 1494
$traffic client tcp ::1 1494 1
stop_capture

# 3. PCoIP (TCP and UDP 4172) and Citrix CGP (2598), captured with a short snap length so that
#    captured and wire lengths differ.
start_capture "$out/pcoip-cgp-snap96.pcap" -i lo -s 96
serve tcp 127.0.0.1 4172
$traffic client tcp 127.0.0.1 4172 2 1000
serve udp 127.0.0.1 4172
$traffic client udp 127.0.0.1 4172 3
serve tcp 127.0.0.1 2598
$traffic client tcp 127.0.0.1 2598 2
stop_capture

# 4. 802.1Q and 802.1ad: a veth pair into a second namespace, IPv4 and IPv6, captured on the
#    Ethernet link. These sandbox kernels have no VLAN devices, so add-vlan-tags.mjs inserts the
#    tags afterwards; the traffic itself is real. Addresses are from the ranges set aside for
#    benchmarks (198.18.0.0/15) and documentation (2001:db8::/32), inside these namespaces only.
unshare --net sleep 30 &
peer=$!
sleep 0.3
ip link add strata-va type veth peer name strata-vb
ip link set strata-vb netns "$peer"
peer_ns() { nsenter -t "$peer" -n "$@"; }
ip addr add 198.18.0.1/24 dev strata-va
ip addr add 2001:db8::1/64 dev strata-va nodad
ip link set strata-va up
peer_ns ip link set lo up
peer_ns ip addr add 198.18.0.2/24 dev strata-vb
peer_ns ip addr add 2001:db8::2/64 dev strata-vb nodad
peer_ns ip link set strata-vb up
sleep 1
start_capture /tmp/strata-untagged.pcap -i strata-va
peer_ns $traffic serve tcp 198.18.0.2 1494 10 &
peer_ns $traffic serve tcp 2001:db8::2 2598 10 &
peer_ns $traffic serve udp 198.18.0.2 4172 10 &
sleep 0.5
$traffic client tcp 198.18.0.2 1494 2
$traffic client tcp 2001:db8::2 2598 2
$traffic client udp 198.18.0.2 4172 2
stop_capture
kill "$peer" 2>/dev/null || true
node scripts/add-vlan-tags.mjs /tmp/strata-untagged.pcap "$out/vlan-veth.pcap"
rm -f /tmp/strata-untagged.pcap

# 5. One pcapng with two interfaces: the cooked capture and the snap-length-limited Ethernet one.
mergecap -F pcapng -w "$out/two-interfaces.pcapng" "$out/sll2-any.pcap" "$out/pcoip-cgp-snap96.pcap"

wait 2>/dev/null || true
ls -l "$out"
