# SPDX-License-Identifier: GPL-2.0-or-later
# pvctl-hostile: guests as adversaries. One floods its XenStore subtree and
# rewrites its report nodes without pause; one writes huge and malformed
# values (4 KiB, bytes that are not UTF-8, numbers beyond any range);
# one flips its frontend states during attach and detach; one never
# connects its frontends (it unloads xen-blkfront and xen-netfront).
# Through all of it: dom0's commands stay responsive (`pvctl list` is
# timed, every time, and must take under 3 s), the autoscale loop stays
# up and gives no guest more than its policy's ceiling, attach and detach
# end within their timeouts, and --force always gets a device back.
set -u
. /lab/lib.sh

CHECK_TIMEOUT=120
P=/tmp/hostile-policy
LIST_MAX_MS=3000

in_guest() {
    printf '%s\n' "$2" | timeout 30 pvctl console --timeout "${3:-3}" "$1" 2>&1 |
        tr -d '\r' > "/tmp/$1.out"
}
target() { xenstore-read "/local/domain/$(pvctl domid "$1")/memory/target"; }
used_loops() { cat /sys/block/loop*/loop/backing_file 2>/dev/null | wc -l; }
ports() { ls /sys/class/net/br0/brif 2>/dev/null | wc -l; }

# list_fast WHEN: `pvctl list` (and list -l, which reads every saved
# config) under LIST_MAX_MS, printed as a BENCH line.
list_fast() {
    local t0 ms
    t0=$(now_ms)
    pvctl list > /tmp/hostile.list 2>&1
    ms=$(( $(now_ms) - t0 ))
    diag "BENCH pvctl list $1: $ms ms"
    if [ "$ms" -lt "$LIST_MAX_MS" ] && grep -q '^Domain-0 ' /tmp/hostile.list; then
        pass "pvctl list $1 answers in $ms ms"
    else
        fail "pvctl list $1 answers under $LIST_MAX_MS ms" "$ms ms"
        diag_file /tmp/hostile.list 10
    fi
    t0=$(now_ms)
    pvctl list -l > /dev/null 2>&1
    diag "BENCH pvctl list -l $1: $(( $(now_ms) - t0 )) ms"
}

dd if=/dev/zero of=/tmp/hostile.img bs=1M count=8 2>/dev/null
loops0=$(used_loops)
ports0=$(ports)
for g in flood huge flip mute; do
    guest_cfg "$g" 'memory = 128' 'maxmem = 256'
    check "create $g" pvctl create -q "/tmp/$g.cfg"
done
for g in flood huge flip mute; do
    expect_console "$g boots" "$g" "PVCTL-GUEST-INFO" 120
done
list_fast "with four quiet guests"

# The loop, with a ceiling of 160 MiB for all: no report, true or not,
# takes a guest above it.
mkdir -p $P
printf 'interval = 1\naudit_log = "/tmp/hostile.audit"\n' > $P/host.policy
printf 'match = "*"\nmemory_min = 96m\nmemory_max = 160m\nstep_max = 32m\ncooldown_up = 1\n' > $P/10-all.policy
pvctl autoscale run --policy $P > /tmp/hostile-as.log 2>&1 &
ASPID=$!
sleep 3
check "the loop runs" kill -0 $ASPID

# --- flood: its subtree, as fast as it can, and its report without pause ---
# xenstored's quota (1000 nodes a domain by default) stops the subtree's
# growth; the writes go on, failing, for as long as the guest likes. The
# report claims 100% pressure and no memory left: a lie the loop cannot
# tell from the truth, so it grows the guest, but to its ceiling only.
in_guest flood 'i=0; while :; do i=$((i+1)); xenstore-write data/junk/$i x data/pvctl/report "mem_total_kb=131072 mem_available_kb=0 psi_mem_some=10000 seq=$i" data/pvctl/seq $i 2>/dev/null; done > /dev/null 2>&1 & echo FLOODING'
check "flood floods" grep -q FLOODING /tmp/flood.out
sleep 5
list_fast "while flood writes without pause"
check "xenstored still answers dom0" xenstore-read /local/domain/0/name

# --- huge and malformed values ---
in_guest huge 'v=$(head -c 4000 /dev/zero | tr "\0" "9"); j=0; while :; do j=$((j+1)); xenstore-write data/pvctl/report "$v" data/pvctl/seq $j data/pvctl/mem_total_kb "$v" 2>/dev/null; xenstore-write data/pvctl/report "$(printf "mem_total_kb=\377\376 seq=%d" $j)" data/pvctl/seq $((j+1)) 2>/dev/null; xenstore-write data/pvctl/report "mem_total_kb=18446744073709551617 mem_available_kb=-1 psi_mem_some=1e99 seq=$j" 2>/dev/null; xenstore-write data/pvctl/seq "$(printf "\001\002")" 2>/dev/null; done > /dev/null 2>&1 & echo GARBAGE'
check "huge writes garbage" grep -q GARBAGE /tmp/huge.out
sleep 8
list_fast "with flood and huge at it"
check "the loop survives flood and huge" kill -0 $ASPID
check "autoscale status answers" pvctl autoscale status
for g in flood huge; do
    check "$g is held at its ceiling (160 MiB) or below" test "$(target $g)" -le $((160 * 1024))
done
diag "targets: flood $(target flood) huge $(target huge) kB"
check "the garbage was refused, not crashed on" sh -c \
    "pvctl autoscale status --json | grep -q -e 'number in range' -e 'above' -e 'no agent report'" ||
    { pvctl autoscale status --json > /tmp/hostile.status 2>&1; diag_file /tmp/hostile.status 40; }

# --- flip: frontend states flipped during attach and detach ---
ID=$(pvctl domid flip)
in_guest flip 'while :; do for s in 1 2 3 4 5 6 7 8 0 9 99 abc ""; do xenstore-write device/vbd/51728/state "$s" device/vif/1/state "$s" 2>/dev/null; done; done > /dev/null 2>&1 & echo FLIPPING'
check "flip flips" grep -q FLIPPING /tmp/flip.out
t0=$(now_ms)
run_bounded pvctl block-attach flip 'vdev=xvdb,access=rw,target=/tmp/hostile.img'
diag "block-attach with flipping states: exit $LAB_RC after $(( $(now_ms) - t0 )) ms"
diag_file "$LAB_OUT" 4
check "block-attach ends within its timeout (30 s) and a margin" \
    test $(( $(now_ms) - t0 )) -lt 40000
list_fast "while flip flips"
t0=$(now_ms)
run_bounded pvctl block-detach -t 10 flip xvdb
diag "block-detach with flipping states: exit $LAB_RC after $(( $(now_ms) - t0 )) ms"
diag_file "$LAB_OUT" 4
check "block-detach ends within its timeout (10 s) and a margin" \
    test $(( $(now_ms) - t0 )) -lt 20000
if xenstore-exists /local/domain/0/backend/vbd/$ID/51728; then
    check "block-detach --force takes it back" pvctl block-detach --force flip xvdb
fi
check "no disk node left on flip" sh -c "! xenstore-exists /local/domain/0/backend/vbd/$ID/51728"
t0=$(now_ms)
run_bounded pvctl network-attach flip bridge=br0
diag "network-attach with flipping states: exit $LAB_RC after $(( $(now_ms) - t0 )) ms"
check "network-attach ends within its timeout and a margin" test $(( $(now_ms) - t0 )) -lt 60000
if xenstore-exists /local/domain/0/backend/vif/$ID/1; then
    t0=$(now_ms)
    run_bounded pvctl network-detach -t 10 flip 1
    check "network-detach ends within its timeout and a margin" \
        test $(( $(now_ms) - t0 )) -lt 20000
    xenstore-exists /local/domain/0/backend/vif/$ID/1 &&
        check "network-detach --force takes it back" pvctl network-detach --force flip 1
fi
check "no vif node left on flip" sh -c "! xenstore-exists /local/domain/0/backend/vif/$ID/1"

# --- mute: never connects its frontends ---
ID=$(pvctl domid mute)
in_guest mute 'rmmod xen-blkfront; rmmod xen-netfront; lsmod | grep -c xen.front; echo UNLOADED'
check "mute unloaded its frontends" grep -q UNLOADED /tmp/mute.out
diag_file /tmp/mute.out 3
t0=$(now_ms)
run_bounded pvctl block-attach mute 'vdev=xvdb,access=rw,target=/tmp/hostile.img'
ms=$(( $(now_ms) - t0 ))
cp "$LAB_OUT" /tmp/mute.attach	# the checks below overwrite LAB_OUT
diag "block-attach to a guest with no blkfront: exit $LAB_RC after $ms ms"
diag_file "$LAB_OUT" 4
check "block-attach fails: the frontend never connected" test "$LAB_RC" -ne 0
check "within its timeout (30 s) and a margin" test "$ms" -lt 40000
check "saying the guest's driver did not connect" grep -q "frontend (the guest's driver)" /tmp/mute.attach
list_fast "with a device waiting for mute"
t0=$(now_ms)
run_bounded pvctl block-detach -t 10 mute xvdb
ms=$(( $(now_ms) - t0 ))
diag "block-detach from a guest with no blkfront: exit $LAB_RC after $ms ms"
check "block-detach ends within its timeout (10 s) and a margin" test "$ms" -lt 20000
if xenstore-exists /local/domain/0/backend/vbd/$ID/51728; then
    check "block-detach --force takes it back" pvctl block-detach --force mute xvdb
fi
check "no disk node left on mute" sh -c "! xenstore-exists /local/domain/0/backend/vbd/$ID/51728"
t0=$(now_ms)
run_bounded pvctl network-attach mute bridge=br0
diag "network-attach to a guest with no netfront: exit $LAB_RC after $(( $(now_ms) - t0 )) ms"
check "network-attach ends within its timeout and a margin" test $(( $(now_ms) - t0 )) -lt 60000
xenstore-exists /local/domain/0/backend/vif/$ID/1 &&
    check "network-detach --force takes it back" pvctl network-detach --force mute 1
check "no vif node left on mute" sh -c "! xenstore-exists /local/domain/0/backend/vif/$ID/1"

# --- through all of it ---
list_fast "at the end, the floods still running"
check "the loop is still up" kill -0 $ASPID
for g in flood huge flip mute; do
    check "$g is within its ceiling" test "$(target $g)" -le $((160 * 1024))
done
kill $ASPID 2>/dev/null
wait $ASPID 2>/dev/null
diag_file /tmp/hostile-as.log 10
t0=$(now_ms)
for g in flood huge flip mute; do
    check "destroy $g" pvctl destroy "$g"
done
diag "BENCH destroying four hostile guests: $(( $(now_ms) - t0 )) ms"
sleep 2
check "no loop device left" test "$(used_loops)" = "$loops0"
check "no bridge port left" test "$(ports)" = "$ports0"
check "no backend node left" sh -c "! xenstore-ls /local/domain/0/backend 2>/dev/null | grep -q 'frontend-id'"
release_files /tmp/hostile.img $P /tmp/hostile.audit
