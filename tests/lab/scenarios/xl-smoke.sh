# SPDX-License-Identifier: GPL-2.0-or-later
# xl-smoke: the lab works with Xen's own toolstack (xl), and the XenStore
# layout xl writes for a plain PV guest is dumped as the reference for pvctl.
set -u
. /lab/lib.sh

G=xlsmoke
CHECK_TIMEOUT=120
guest_cfg "$G"

# Time from starting `xl create` to the guest's marker on its console.
t0=$(now_ms)
timed check "xl create $G" xl create "/tmp/$G.cfg" || exit 0

expect_console "guest $G prints its marker" "$G" "PVCTL-GUEST-UP $G" 120 &&
    diag "xl create to guest marker: $(( $(now_ms) - t0 )) ms"
expect_console "guest $G reports 1 cpu" "$G" "PVCTL-GUEST-INFO memtotal_kb=[0-9]+ cpus=1" 10
diag "guest says: $(grep -h PVCTL-GUEST-INFO "$CONSOLE_DIR/guest-$G.log" | tr -d '\r')"

check "xl list shows $G" xl list "$G"
diag_file "$LAB_OUT"
domid=$(xl domid "$G" 2>/dev/null)
diag "domid of $G: $domid"

# The whole tree, with permissions, while the guest runs.
diag "xenstore-ls -fp begin"
timeout 30 xenstore-ls -fp > /tmp/xs.txt 2>&1
diag_file /tmp/xs.txt 100000
diag "xenstore-ls -fp end"

timed check "xl destroy $G" xl destroy "$G"
check_fail "xl list no longer shows $G" xl list "$G"
check_fail "/local/domain/$domid is gone" xenstore-exists "/local/domain/$domid"
