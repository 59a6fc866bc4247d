# SPDX-License-Identifier: GPL-2.0-or-later
# pvctl-tools: the operator's commands from xl's toolbox on real Xen:
# dmesg reads Xen's console ring as xl dmesg does, and -c clears it;
# debug-keys h puts Xen's key list there; sysrq reaches a guest's kernel
# (it prints the SysRq help on its console and clears control/sysrq);
# dump-core writes an ELF core and leaves the guest running; top -b
# lists Domain-0 and the guest with its balloon target; a guest with
# on_crash = "coredump-destroy" that panics is dumped to
# STATE/dump/NAME by the monitor, then destroyed.
set -u
. /lab/lib.sh

CHECK_TIMEOUT=120
G=tools1
C=crash1
DUMP=/var/lib/pvctl/dump/$C

in_guest() {
    printf '%s\n' "$2" | timeout 30 pvctl console --timeout "${3:-4}" "$1" 2>&1 |
        tr -d '\r' > "/tmp/$1.out"
}
# magic FILE: its first four bytes in hex (an ELF file's: 7f454c46).
magic() { head -c 4 "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n'; }

# --- Xen's console ring ---
pvctl dmesg > /tmp/dmesg.pvctl 2>&1
xl dmesg > /tmp/dmesg.xl 2>&1
pvctl dmesg > /tmp/dmesg.pvctl2 2>&1
check "pvctl dmesg prints Xen's lines" grep -q '^(XEN) ' /tmp/dmesg.pvctl
# Xen may print (and a full ring drop lines) between two reads: the
# first lines of xl's read must be those of one of pvctl's.
head -n 20 /tmp/dmesg.xl > /tmp/dmesg.head
check "pvctl dmesg starts as xl dmesg does" sh -c '
    head -n 20 /tmp/dmesg.pvctl | cmp -s - /tmp/dmesg.head ||
    head -n 20 /tmp/dmesg.pvctl2 | cmp - /tmp/dmesg.head'
grep -q 'Xen version' /tmp/dmesg.pvctl &&
    diag "Xen's boot lines are still in the ring: $(grep -m1 'Xen version' /tmp/dmesg.pvctl)"
head -n 1 /tmp/dmesg.pvctl2 > /tmp/dmesg.first
check "pvctl dmesg -c prints the ring" sh -c 'pvctl dmesg -c | grep -q "^(XEN) "'
check "after -c, dmesg no longer holds the old lines" \
    sh -c '! pvctl dmesg | grep -qxF -f /tmp/dmesg.first'

# --- debug keys ---
check "pvctl debug-keys h" pvctl debug-keys h
check "dmesg shows Xen's answer to h" \
    sh -c "pvctl dmesg | grep -q \"'h' pressed -> showing installed handlers\""
check_fail "debug-keys with no keys is a usage error" pvctl debug-keys ''

# --- a guest: sysrq, dump-core, top ---
guest_cfg "$G" "memory = 96"
check "create $G" pvctl create -q "/tmp/$G.cfg" &&
expect_console "$G boots" "$G" "PVCTL-GUEST-INFO" 120 && {
    id=$(xl domid "$G")
    check "pvctl sysrq $G h" pvctl sysrq "$G" h
    expect_console "the guest's kernel printed the SysRq help" "$G" "HELP : " 30
    wait_for "the guest took the key (control/sysrq cleared)" 20 \
        "[ -z \"\$(xenstore-read /local/domain/$id/control/sysrq)\" ]"
    check_fail "sysrq with two letters is a usage error" pvctl sysrq "$G" ab

    timed check "pvctl dump-core $G" pvctl dump-core "$G" "/tmp/$G.core" &&
    check "the core is an ELF file" test "$(magic "/tmp/$G.core")" = 7f454c46
    diag "core: $(ls -l "/tmp/$G.core" 2>&1)"
    rm -f "/tmp/$G.core"
    check "$G runs on after the dump (not paused)" \
        sh -c "xl list $G | awk 'NR == 2 { exit \$5 ~ /p/ }'"
    in_guest "$G" 'echo ALIVE-AFTER-DUMP'
    check "$G answers on its console after the dump" grep -q ALIVE-AFTER-DUMP "/tmp/$G.out"

    check "pvctl top -b -i 2 -d 1" pvctl top -b -i 2 -d 1
    cp "$LAB_OUT" /tmp/top.out
    diag_file /tmp/top.out 10
    check "two frames (two header lines)" test "$(grep -c '^ *NAME ' /tmp/top.out)" = 2
    check "top lists Domain-0" grep -q '^ *Domain-0 ' /tmp/top.out
    # NAME STATE CPU(sec) CPU(%) MEM(k) MEM(%) MAXMEM(k) VCPUS TARGET(k)
    target=$(xenstore-read "/local/domain/$id/memory/target")
    check "top lists $G with its balloon target ($target KiB)" \
        sh -c "awk -v g=$G -v t=$target '\$1 == g && \$9 == t { f = 1 } END { exit !f }' /tmp/top.out"
    check_fail "top without a terminal and without -b refuses" pvctl top
}
pvctl destroy "$G" 2>/dev/null

# --- on_crash = "coredump-destroy" ---
# dom0's root file system is its initramfs, a tmpfs of half its RAM, with
# the kernel cache on it: too full for a guest's core. The dumps get a
# tmpfs of their own (memory all the same).
mkdir -p "${DUMP%/*}"
mount -t tmpfs -o size=160m,mode=0700 dumps "${DUMP%/*}"
guest_cfg "$C" "memory = 96" 'on_crash = "coredump-destroy"'
check "create $C (on_crash = coredump-destroy)" pvctl create -q "/tmp/$C.cfg" &&
expect_console "$C boots" "$C" "PVCTL-GUEST-INFO" 120 && {
    # Writes to /proc/sysrq-trigger ignore kernel.sysrq: c panics the kernel,
    # which a PV guest reports to Xen as a crash.
    in_guest "$C" 'echo c > /proc/sysrq-trigger' 2
    expect_console "$C panicked" "$C" "Kernel panic|sysrq triggered crash|SysRq : Trigger a crash" 30
    wait_for "the monitor destroyed $C" 120 "! xl domid $C"
    check "its core is at $DUMP" test -s "$DUMP" &&
    check "the core is an ELF file" test "$(magic "$DUMP")" = 7f454c46
    diag "core: $(ls -l "$DUMP" 2>&1)"
    check "the monitor logged the dump" grep -q "dumped the core of $C to $DUMP" /var/log/pvctl/monitor.log
    diag_file /var/log/pvctl/monitor.log 8
}
pvctl destroy "$C" 2>/dev/null
umount "${DUMP%/*}"
release_files "/tmp/$G.core" "/tmp/$G.cfg" "/tmp/$C.cfg" /tmp/dmesg.* /tmp/top.*
