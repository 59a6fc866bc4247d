# SPDX-License-Identifier: GPL-2.0-or-later
# pvctl-migrate-pair: migrate a running guest with a disk and a vif from
# this Xen host to a second one (the peer, booted beside this one by
# run.sh and joined to it by a private link): it keeps running there, its
# heartbeat counting on, its memory, disk and network intact, and nothing
# of it is left here. The disk image is copied to the peer before the
# migration (the lab has no shared storage), as an operator would with
# storage both hosts see.
# lab: peer
set -u
. /lab/lib.sh

CHECK_TIMEOUT=180
PEER=10.99.0.2
SSH=/lab/labssh

used_loops() { cat /sys/block/loop*/loop/backing_file 2>/dev/null | wc -l; }
ports() { ls /sys/class/net/br0/brif 2>/dev/null | wc -l; }
# on_peer COMMAND: COMMAND's output on the peer, into /tmp/peer.out.
on_peer() { "$SSH" "$PEER" "$1" < /dev/null > /tmp/peer.out 2>&1; }
# in_peer_guest NAME COMMANDS: type COMMANDS on the console of the peer's
# guest NAME, its answer in /tmp/NAME.out.
in_peer_guest() {
    printf '%s\n' "$2" | "$SSH" "$PEER" "timeout 30 pvctl console --timeout ${3:-4} $1" 2>&1 |
        tr -d '\r' > "/tmp/$1.out"
}
hb() {
    tr -d '\r' | awk '
        $1 == "PVCTL-HB" && $2 ~ /^[0-9]+$/ && $3 ~ /^[0-9.]+$/ {
            if (pu != "" && $3 - pu > gap) gap = $3 - pu
            n = $2; pu = $3
        }
        END { printf "%d %d\n", n, gap * 1000 }'
}

# The peer boots beside this host: wait for its stand-in for sshd.
end=$(( $(now_ms) + 300000 ))
until "$SSH" "$PEER" 'echo PEER-UP' < /dev/null 2>/dev/null | grep -q PEER-UP; do
    [ "$(now_ms)" -lt "$end" ] || break
    sleep 2
done
check "the peer host answers on the private link" sh -c "'$SSH' $PEER 'xl list' < /dev/null | grep -q Domain-0" || exit 0
diag_file "$LAB_OUT" 3

dd if=/dev/zero of=/tmp/pair-disk.img bs=1M count=8 2>/dev/null
loops0=$(used_loops)
ports0=$(ports)
G=mp1
GUEST_EXTRA=heartbeat guest_cfg "$G" "memory = 96" \
    "disk = [ 'vdev=xvda,access=rw,target=/tmp/pair-disk.img' ]" "vif = [ 'bridge=br0' ]"
check "create $G with a disk and a vif" pvctl create -q "/tmp/$G.cfg" &&
expect_console "$G boots" "$G" "PVCTL-GUEST-INFO" 120 && {
    printf 'echo PAIR-MEM-31 > /tmp/mark; sync; echo WROTE\n' |
        timeout 30 pvctl console --timeout 4 "$G" 2>&1 | tr -d '\r' > "/tmp/$G.out"
    check "the guest wrote its mark" grep -q WROTE "/tmp/$G.out"
    # Storage both hosts see: a copy of the image, made while the guest
    # does not write to it.
    timed check "copy its disk image to the peer" \
        sh -c "'$SSH' $PEER 'cat > /tmp/pair-disk.img' < /tmp/pair-disk.img"
    set -- $(hb < "$CONSOLE_DIR/guest-$G.log"); hb_before=$1
    t0=$(now_ms)
    timed check "pvctl migrate --non-live $G to the peer" \
        pvctl -v migrate --non-live -j -s "$SSH" "$G" "$PEER"
    mig_ms=$(( $(now_ms) - t0 ))
    diag_file "$LAB_OUT" 12
    check "$G is gone from this host" sh -c "! xl domid $G"
    check "no --incoming or --migratedaway domain is left here" sh -c "! xl list | grep -Eq -- '--(incoming|migratedaway)'"
    check "its loop device is released here" test "$(used_loops)" = "$loops0"
    check "its bridge port is released here" test "$(ports)" = "$ports0"
    on_peer 'xl list'
    diag_file /tmp/peer.out 5
    check "the peer runs exactly one $G" test "$(grep -c "^$G " /tmp/peer.out)" = 1
    check "and no --incoming domain" sh -c "! grep -q -- '--incoming' /tmp/peer.out"
    sleep 2
    # Its beats here, then there: the longest gap between two is the
    # downtime (the guest's clock goes on across hosts).
    on_peer "cat $CONSOLE_DIR/guest-$G--incoming.log $CONSOLE_DIR/guest-$G.log 2>/dev/null"
    set -- $(cat "$CONSOLE_DIR/guest-$G.log" /tmp/peer.out | hb)
    diag "heartbeat: $hb_before here before the migration, $1 on the peer after, longest gap $2 ms"
    check "its heartbeat went on counting on the peer (no reboot)" test "$1" -gt "$hb_before"
    diag "BENCH migrate_two_hosts (non-live, 96 MiB): ${mig_ms} ms; downtime (heartbeat gap) $2 ms"
    in_peer_guest "$G" 'cat /tmp/mark; echo PAIR-DISK-MARK | dd of=/dev/xvda bs=512 count=1 conv=sync 2>/dev/null; sync; echo ALIVE'
    diag_file "/tmp/$G.out" 4
    check "its console answers on the peer" grep -q ALIVE "/tmp/$G.out"
    check "its memory came along" grep -q PAIR-MEM-31 "/tmp/$G.out"
    in_peer_guest "$G" 'ip addr add 169.254.0.3/16 dev eth0 2>/dev/null; ip link set eth0 up; sleep 2; ping -c 2 -W 3 169.254.0.1' 12
    check "its network works there (pings the peer's dom0 across br0)" grep -q "bytes from 169.254.0.1" "/tmp/$G.out"
    on_peer "pvctl destroy $G && dd if=/tmp/pair-disk.img bs=14 count=1 2>/dev/null"
    check "it wrote to its disk on the peer (read from the image after destroy)" grep -q PAIR-DISK-MARK /tmp/peer.out
    on_peer 'xl list; ls /sys/class/net/br0/brif; cat /sys/block/loop*/loop/backing_file 2>/dev/null'
    check "nothing of it is left on the peer" sh -c "! grep -q -e '^$G ' -e vif -e pair-disk /tmp/peer.out"
}
pvctl destroy "$G" 2>/dev/null
# The peer has done its part: stop it, so it takes no CPU from the next
# scenarios.
"$SSH" "$PEER" 'poweroff -f' < /dev/null > /dev/null 2>&1 &
sleep 1
kill $! 2>/dev/null
release_files /tmp/pair-disk.img /tmp/peer.out "/tmp/$G.out" "/tmp/$G.cfg"
