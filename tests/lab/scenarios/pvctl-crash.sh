# SPDX-License-Identifier: GPL-2.0-or-later
# pvctl-crash: pvctl killed with SIGKILL (nothing of it runs after) in the
# middle of create (with a disk and a vif), block-attach, network-attach,
# block-detach and save; the monitor and the autoscale loop killed at any
# moment. After each kill: `pvctl list` shows every domain Xen has, the
# half-made one marked "incomplete"; `pvctl cleanup` (or the monitor)
# leaves no domain, loop device, bridge port or XenStore node of it; the
# next command works. The kill points are a sweep of delays and the
# moments a step shows in XenStore or sysfs (domain made, disk backend
# written, vif on the bridge, a hotplug script running).
set -u
. /lab/lib.sh

CHECK_TIMEOUT=120
G=crash1

used_loops() { cat /sys/block/loop*/loop/backing_file 2>/dev/null | wc -l; }
ports() { ls /sys/class/net/br0/brif 2>/dev/null | wc -l; }
# The XenStore nodes a guest's create adds (dom0's backends, xl's copy,
# /vm, the guest's own tree), by path only.
xs_nodes() {
    { xenstore-ls -f /local/domain/0/backend 2>/dev/null
      xenstore-ls -f /libxl 2>/dev/null
      xenstore-ls -f /vm 2>/dev/null
      for d in $(xenstore-list /local/domain); do
          [ "$d" = 0 ] || echo "/local/domain/$d"
      done; } | sed 's/ = .*//' | sort
}
# (Not in wait_for's commands: they run in a new sh, without functions.)
records() { ls /run/pvctl/ops 2>/dev/null | grep -c '\.json$'; }
until_node() {
    # until_node PATH-GLOB: polls xenstore-ls for a path, 20 s at most
    local i=0
    while [ $i -lt 400 ]; do
        xenstore-ls -f / 2>/dev/null | grep -q "$1" && return 0
        sleep 0.05
        i=$((i + 1))
    done
    return 1
}

dd if=/dev/zero of=/tmp/crash1.img bs=1M count=16 2>/dev/null
dd if=/dev/zero of=/tmp/crash2.img bs=1M count=8 2>/dev/null
guest_cfg "$G" "disk = [ 'vdev=xvda,access=rw,target=/tmp/crash1.img' ]" \
    "vif = [ 'bridge=br0' ]"
# The same, its vif plugged by a script that takes 3 s: a kill lands in it.
printf '#!/bin/sh\nsleep 3\nexec /etc/xen/scripts/vif-bridge "$@"\n' > /tmp/slow-hook
chmod 755 /tmp/slow-hook
guest_cfg crash1s "disk = [ 'vdev=xvda,access=rw,target=/tmp/crash1.img' ]" \
    "vif = [ 'bridge=br0,script=/tmp/slow-hook' ]"
sed -i "s/^name = .*/name = '$G'/" /tmp/crash1s.cfg

loops0=$(used_loops)
ports0=$(ports)
xs_nodes > /tmp/xs0
check "no record of a command under way at the start" test "$(records)" = 0
# A monitor an earlier scenario's create started would clean up behind
# our back: it exits once it has no domain left.
# (busybox has no flock: the monitor's command line tells.)
wait_for "no monitor runs" 30 "! ps -o args | grep -q '^pvctl monitor'"

# after_kill WHAT: the checks after a kill; the domain, if any, is $G.
after_kill() {
    local what=$1 id t0
    id=$(xl domid "$G" 2>/dev/null)
    t0=$(now_ms)
    pvctl list > /tmp/crash.list 2>&1
    diag "$what: list took $(( $(now_ms) - t0 )) ms"
    if [ -n "$id" ]; then
        check "$what: list shows domain $id" grep -qE "^[^ ]* +$id " /tmp/crash.list
        check "$what: marked incomplete" sh -c \
            "grep -E '^[^ ]* +$id ' /tmp/crash.list | grep -q 'incomplete: '"
    fi
    # Every domain Xen has is listed (named or not).
    check "$what: list has every domain xl has" test \
        "$(xl list | tail -n +2 | wc -l)" = "$(tail -n +2 /tmp/crash.list | wc -l)"
    check "$what: cleanup" pvctl cleanup
    diag_file "$LAB_OUT" 6
    wait_for "$what: no domain $G left" 20 "! xl domid $G 2>/dev/null"
    check "$what: no loop device left" test "$(used_loops)" = "$loops0"
    check "$what: no bridge port left" test "$(ports)" = "$ports0"
    xs_nodes > /tmp/xs1
    check "$what: no XenStore node left" cmp -s /tmp/xs0 /tmp/xs1 ||
        { diff /tmp/xs0 /tmp/xs1 > /tmp/xs.diff; diag_file /tmp/xs.diff 20; }
    check "$what: no record left" test "$(records)" = 0
}

# kill_create WHAT CFG WAIT: start a create (no monitor: cleanup is
# checked by hand), wait (a shell line that returns when it is time to
# kill), SIGKILL it.
kill_create() {
    local what=$1 cfg=$2 wait=$3 pid
    pvctl create -e -q "$cfg" > /tmp/crash.out 2>&1 &
    pid=$!
    eval "$wait"
    if ! kill -9 "$pid" 2>/dev/null; then
        # It finished first: nothing was killed, nothing to check.
        wait "$pid" 2>/dev/null
        diag "$what: the create had finished (exit $?) before the kill"
        pvctl destroy "$G" > /dev/null 2>&1
        return 0
    fi
    wait "$pid" 2>/dev/null
    after_kill "$what"
}

# --- create, by time: a sweep over the whole of it ---
for d in 0.05 0.1 0.2 0.4 0.7 1 1.5 2 3 4; do
    kill_create "create killed after ${d}s" /tmp/$G.cfg "sleep $d"
done

# --- the monitor cleans up by itself ---
# Killed 0.4 s in (mid-create in every run of the sweep above: a create
# takes about a second; polling XenStore for a step is slower than that).
pvctl create -e -q /tmp/$G.cfg > /tmp/crash.out 2>&1 &
pid=$!
sleep 0.4
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
pvctl monitor -f > /tmp/crash-mon0.log 2>&1 &
MON=$!
wait_for "a killed create: the monitor removes what it left" 30 \
    "! ls /run/pvctl/ops 2>/dev/null | grep -q '\\.json\$' && ! xl domid $G 2>/dev/null"
check "and says so in its log" grep -q "create by pid $pid (killed)" /tmp/crash-mon0.log
diag_file /tmp/crash-mon0.log 5
kill $MON 2>/dev/null
wait $MON 2>/dev/null
check "no loop device left by it" test "$(used_loops)" = "$loops0"
check "no bridge port left by it" test "$(ports)" = "$ports0"

# --- create, at the steps XenStore shows ---
kill_create "create killed once the domain exists" /tmp/$G.cfg \
    "until_node \"/name = \\\"$G\\\"\""
kill_create "create killed once the disk's backend exists" /tmp/$G.cfg \
    "until_node '/backend/vbd/[0-9]*/51712/physical-device '"
kill_create "create killed once the vif's backend exists" /tmp/$G.cfg \
    "until_node '/backend/vif/[0-9]*/0/vifname '"
kill_create "create killed while the vif's script runs" /tmp/crash1s.cfg \
    "until_node '/backend/vif/[0-9]*/0/vifname '; sleep 1"
kill_create "create killed once the vif is connected" /tmp/$G.cfg \
    "until_node '/backend/vif/[0-9]*/0/hotplug-status'"

check "after all that, create $G works" pvctl create -e -q /tmp/$G.cfg
expect_console "$G boots" "$G" "PVCTL-GUEST-INFO" 120 || return 0
ID=$(pvctl domid "$G")

# --- attach and detach on a running guest ---
xs_nodes > /tmp/xs0
loops0=$(used_loops)
ports0=$(ports)
# after_dev_kill WHAT: the guest runs on, with no half device.
after_dev_kill() {
    local what=$1
    pvctl list > /tmp/crash.list 2>&1
    check "$what: cleanup" pvctl cleanup
    diag_file "$LAB_OUT" 6
    sleep 1
    check "$what: $G still runs" sh -c "xl list $G | grep -Eq ' (r-|-b)'"
    check "$what: no record left" test "$(records)" = 0
}
for d in 0.05 0.2 0.5 1; do
    pvctl block-attach "$G" 'vdev=xvdb,access=rw,target=/tmp/crash2.img' > /dev/null 2>&1 &
    pid=$!; sleep $d; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
    after_dev_kill "block-attach killed after ${d}s"
    # Whole or gone: no half-made disk.
    if xenstore-exists /local/domain/0/backend/vbd/$ID/51728; then
        check "block-attach after ${d}s: the disk is whole (frontend too)" \
            xenstore-exists /local/domain/$ID/device/vbd/51728
        check "block-detach it" pvctl block-detach "$G" xvdb
    fi
    check "block-attach after ${d}s: no loop device left" test "$(used_loops)" = "$loops0"
    check "block-attach after ${d}s: no disk node left" sh -c \
        "! xenstore-exists /local/domain/0/backend/vbd/$ID/51728"
done
for d in 0.05 0.2 0.5 1; do
    pvctl network-attach "$G" bridge=br0 > /dev/null 2>&1 &
    pid=$!; sleep $d; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
    after_dev_kill "network-attach killed after ${d}s"
    # Whole or gone: no half-made vif.
    if xenstore-exists /local/domain/0/backend/vif/$ID/1; then
        check "network-attach after ${d}s: the vif is whole (frontend too)" \
            xenstore-exists /local/domain/$ID/device/vif/1
        check "network-detach it" pvctl network-detach "$G" 1
    fi
    check "network-attach after ${d}s: no vif 1 left" sh -c \
        "! xenstore-exists /local/domain/0/backend/vif/$ID/1"
    check "network-attach after ${d}s: no bridge port left" test "$(ports)" = "$ports0"
done
for d in 0.05 0.3 1; do
    check "block-attach xvdb" pvctl block-attach "$G" 'vdev=xvdb,access=rw,target=/tmp/crash2.img'
    pvctl block-detach "$G" xvdb > /dev/null 2>&1 &
    pid=$!; sleep $d; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
    after_dev_kill "block-detach killed after ${d}s"
    # Killed before it asked the guest anything, the disk is still whole:
    # then detach it now. Otherwise cleanup finished the detach.
    if xenstore-exists /local/domain/0/backend/vbd/$ID/51728 &&
       xenstore-exists /local/domain/$ID/device/vbd/51728; then
        diag "block-detach killed after ${d}s: it had not begun; the disk is whole"
        check "block-detach xvdb now" pvctl block-detach "$G" xvdb
    fi
    check "block-detach after ${d}s: the detach was finished" sh -c \
        "! xenstore-exists /local/domain/0/backend/vbd/$ID/51728"
    check "block-detach after ${d}s: and the saved config has no xvdb" sh -c \
        "! pvctl list --config $G | grep -q xvdb; ! grep -q xvdb /var/lib/pvctl/domains/$ID.json"
    check "block-detach after ${d}s: no loop device left" test "$(used_loops)" = "$loops0"
done
xs_nodes > /tmp/xs1
check "attach and detach kills left no XenStore node" cmp -s /tmp/xs0 /tmp/xs1 ||
    { diff /tmp/xs0 /tmp/xs1 > /tmp/xs.diff; diag_file /tmp/xs.diff 20; }

# --- save ---
for d in 0.3 1 2; do
    rm -f /tmp/crash.save*
    pvctl save "$G" /tmp/crash.save > /dev/null 2>&1 &
    pid=$!; sleep $d; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
    check "save killed after ${d}s: cleanup" pvctl cleanup
    diag_file "$LAB_OUT" 4
    if xl domid "$G" > /dev/null 2>&1; then
        check "save killed after ${d}s: the guest runs, not suspended" sh -c \
            "xl list $G | tail -1 | awk '{ print \$5 }' | grep -qv s"
        check "save killed after ${d}s: no partial save file" sh -c \
            "! ls /tmp/crash.save.* 2>/dev/null | grep -q ."
    else
        check "save killed after ${d}s: the save was finished" test -s /tmp/crash.save
        check "restore it" pvctl restore -e /tmp/crash.save
    fi
done
ID=$(pvctl domid "$G")

# --- the monitor: killed at any moment, a restart loses nothing ---
# Our own monitor, in the foreground (so `kill -9` is ours to aim); one an
# earlier create left exits once it has no domain: retry until ours runs.
MLOG=/tmp/crash-monitor.log
MON=
start_monitor() {
    local end=$(( $(now_ms) + 40000 ))
    while :; do
        pvctl monitor -f >> "$MLOG" 2>&1 &
        MON=$!
        sleep 2
        kill -0 "$MON" 2>/dev/null && return 0
        [ "$(now_ms)" -lt "$end" ] || return 1
    done
}
uuid_of() { pvctl list -v "$1" 2>/dev/null | awk 'NR == 2 { print $7 }'; }
check "destroy $G" pvctl destroy "$G"
guest_cfg crash2 'on_reboot = "restart"'
check "create crash2 (on_reboot restart)" pvctl create -e -q /tmp/crash2.cfg
expect_console "crash2 boots" crash2 "PVCTL-GUEST-INFO" 120
: > "$MLOG"
start_monitor || fail "a monitor of our own runs" "another never left"
for d in 0 0.1 0.3 0.6 1 2; do
    UUID0=$(uuid_of crash2)
    ID0=$(pvctl domid crash2)
    check "reboot crash2 (${d}s before the monitor is killed)" pvctl reboot crash2
    sleep $d
    kill -9 "$MON" 2>/dev/null
    wait "$MON" 2>/dev/null
    start_monitor || fail "a monitor of our own runs again" "another never left"
    wait_for "monitor killed ${d}s into a reboot: crash2 runs again, once" 90 \
        "test \$(pvctl domid crash2 2>/dev/null || echo $ID0) != $ID0 && test \$(xl list | grep -c '^crash2 ') = 1"
    check "its UUID is kept" test "$(uuid_of crash2)" = "$UUID0"
    check "nothing left half done" test "$(records)" = 0
    expect_console "crash2 boots again" crash2 "PVCTL-GUEST-INFO" 120
done
diag_file "$MLOG" 20
kill "$MON" 2>/dev/null
wait "$MON" 2>/dev/null

# --- the autoscale loop: killed at any moment, it starts again whole ---
mkdir -p /tmp/crash-policy
printf 'interval = 1\naudit_log = "/tmp/crash.audit"\n' > /tmp/crash-policy/host.policy
printf 'match = "*"\nmemory_min = 96m\nmemory_max = 256m\n' > /tmp/crash-policy/10.policy
for i in 1 2 3 4 5; do
    pvctl autoscale run --policy /tmp/crash-policy > /tmp/crash-as.log 2>&1 &
    pid=$!
    sleep "0.$((i * 3))"
    kill -9 $pid 2>/dev/null
    wait $pid 2>/dev/null
    if [ -e /run/pvctl/autoscale.json ]; then
        check "autoscale killed (run $i): its status file reads whole" \
            pvctl autoscale status
    fi
done
pvctl autoscale run --policy /tmp/crash-policy > /tmp/crash-as.log 2>&1 &
ASPID=$!
wait_for "after the kills, the loop starts again (its lock and socket are free)" 20 \
    "pvctl autoscale status | grep -q crash2"
# A loop killed while it wrote its status leaves the temporary file; the
# next one removes it.
check "the loop started again left no killed loop's temporary file" sh -c \
    "! ls /run/pvctl/autoscale.json.tmp.* 2>/dev/null | grep -q ."
check "and a create asks it for room" pvctl create -e -q /tmp/$G.cfg
check "destroy $G" pvctl destroy "$G"
kill "$ASPID" 2>/dev/null
wait "$ASPID" 2>/dev/null
diag_file /tmp/crash-as.log 10

check "destroy crash2" pvctl destroy crash2
check "nothing left half done" pvctl cleanup
check "and it says so" grep -q "nothing left half done" "$LAB_OUT"
release_files /tmp/crash1.img /tmp/crash2.img /tmp/crash.save /tmp/crash.save.* \
    /tmp/crash-policy /tmp/slow-hook
