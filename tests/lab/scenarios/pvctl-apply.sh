# SPDX-License-Identifier: GPL-2.0-or-later
# pvctl-apply: a folder of configs as the desired state. apply creates two
# guests; a changed memory line goes live (no reboot: the guest's uptime
# runs on); a removed disk is detached and an added vif attached; a changed
# kernel waits for --restart; a second apply is a no-op; --prune destroys
# the guest whose file went and leaves an xl guest alone; a config that
# fails half-way (a missing disk image) leaves its guest as it was and the
# others converged.
set -u
. /lab/lib.sh

CHECK_TIMEOUT=180
D=/tmp/apply.d

in_guest() {
    printf '%s\n' "$2" | timeout 30 pvctl console --timeout "${3:-4}" "$1" 2>&1 |
        tr -d '\r' > "/tmp/$1.out"
}

# markers NAME: how often NAME's console printed its boot marker.
markers() { grep -c "PVCTL-GUEST-UP $1" "$CONSOLE_DIR/guest-$1.log" 2>/dev/null; }

# guest_uptime NAME: the guest's own /proc/uptime, whole seconds.
guest_uptime() {
    in_guest "$1" 'cat /proc/uptime'
    sed -n 's/^\([0-9][0-9]*\)\.[0-9]* .*/\1/p' "/tmp/$1.out" | tail -n 1
}

# acfg NAME [KERNEL] LINE...: the file $D/NAME.cfg, as guest_cfg writes one.
acfg() {
    local name=$1 kernel=/lab/guest/vmlinuz l; shift
    case ${1:-} in /*) kernel=$1; shift;; esac
    {
        echo 'type = "pv"'
        echo "name = \"$name\""
        echo "kernel = \"$kernel\""
        echo 'ramdisk = "/lab/guest/initrd.img"'
        echo "extra = \"console=hvc0 marker=$name\""
        echo 'vcpus = 1'
        for l in "$@"; do echo "$l"; done
    } > "$D/$name.cfg"
}

# plan: a dry run into /tmp/apply.plan, its exit status in PLAN_RC.
plan() {
    timeout 120 pvctl apply -n "$D" > /tmp/apply.plan 2>&1
    PLAN_RC=$?
    diag_file /tmp/apply.plan 8
}

target() { xenstore-read "/local/domain/$(pvctl domid "$1")/memory/target"; }

cleanup() {
    for g in ap1 ap2 ap3 apxl; do xl destroy "$g" > /dev/null 2>&1; done
    release_files "$D" /tmp/ap-*.img /tmp/ap-vmlinuz /tmp/ap1.out /tmp/ap2.out \
        /tmp/apxl.cfg /tmp/apply.out /tmp/apply.plan $CONSOLE_DIR/guest-ap*.log
}

mkdir -p "$D"
dd if=/dev/zero of=/tmp/ap-disk1.img bs=1M count=8 2>/dev/null
dd if=/dev/zero of=/tmp/ap-disk2.img bs=1M count=8 2>/dev/null
DISKS="disk = [ 'vdev=xvda,access=rw,target=/tmp/ap-disk1.img', 'vdev=xvdb,access=rw,target=/tmp/ap-disk2.img' ]"
acfg ap1 'memory = 96' 'maxmem = 128' "$DISKS"
acfg ap2 'memory = 96'

# --- create from the folder
plan
check "a dry run of a new folder exits 2 (changes)" test "$PLAN_RC" -eq 2
check "its plan creates ap1" grep -q '^+ create ap1$' /tmp/apply.plan
check "and ap2" grep -q '^+ create ap2$' /tmp/apply.plan
check_fail "the dry run created nothing" pvctl domid ap1
timed check "apply creates both" pvctl apply "$D"
diag_file "$LAB_OUT" 6
if ! expect_console "ap1 boots" ap1 "PVCTL-GUEST-INFO" 120 ||
   ! expect_console "ap2 boots" ap2 "PVCTL-GUEST-INFO" 120; then
    cleanup
    exit 0
fi
plan
check "a second dry run exits 0" test "$PLAN_RC" -eq 0
check "and says nothing to do" grep -q "nothing to do" /tmp/apply.plan

# --- a memory change goes live: same domain, no reboot, uptime runs on
ID1=$(pvctl domid ap1)
M1=$(markers ap1)
U1=$(guest_uptime ap1)
acfg ap1 'memory = 120' 'maxmem = 128' "$DISKS"
plan
check "the plan has memory 96 -> 120 MiB (live)" grep -q '^~ ap1: memory 96 -> 120 MiB (live)$' /tmp/apply.plan
check "apply changes the memory" pvctl apply "$D"
diag_file "$LAB_OUT" 4
check "the target is 120 MiB" test "$(target ap1)" = 122880
check "ap1 is the same domain" test "$(pvctl domid ap1)" = "$ID1"
check "ap1 did not reboot" test "$(markers ap1)" = "$M1"
U2=$(guest_uptime ap1)
check "its uptime ran on ($U1 s -> $U2 s)" test -n "$U1" -a -n "$U2" -a "${U2:-0}" -gt "${U1:-0}"
check "the saved config has memory 120" sh -c "pvctl list -l ap1 | grep -q '\"memory\": 120'"

# --- a disk line removed, a vif added
acfg ap1 'memory = 120' 'maxmem = 128' \
    "disk = [ 'vdev=xvda,access=rw,target=/tmp/ap-disk1.img' ]" "vif = [ 'bridge=br0' ]"
plan
check "the plan detaches disk xvdb" grep -q '^~ ap1: detach disk xvdb (live)$' /tmp/apply.plan
check "and attaches a vif on br0" grep -q '^~ ap1: attach vif on br0 (live)$' /tmp/apply.plan
check "apply detaches and attaches" pvctl apply "$D"
diag_file "$LAB_OUT" 4
check "xvdb is gone" sh -c "! pvctl block-list ap1 | grep -q xvdb"
check "xvda stays" sh -c "pvctl block-list ap1 | grep -q xvda"
check "a vif is there" sh -c "pvctl network-list ap1 | grep -q '00:16:3e:'"
in_guest ap1 'ls /dev/xvd*; ip link'
check "the guest sees eth0" grep -q eth0 /tmp/ap1.out
check "and no xvdb" sh -c "! grep -q /dev/xvdb /tmp/ap1.out"
check "ap1 still did not reboot" test "$(markers ap1)" = "$M1"

# --- a kernel change needs --restart
ln -sf /lab/guest/vmlinuz /tmp/ap-vmlinuz
ID2=$(pvctl domid ap2)
acfg ap2 /tmp/ap-vmlinuz 'memory = 96'
plan
check "the plan says: kernel changed: needs a restart (--restart)" \
    grep -q '^! ap2: kernel changed: needs a restart (--restart)$' /tmp/apply.plan
M2=$(markers ap2)
check "apply without --restart" pvctl apply "$D"
check "leaves ap2 running as it was" test "$(pvctl domid ap2)" = "$ID2"
timed check "apply --restart" pvctl apply --restart "$D"
diag_file "$LAB_OUT" 4
check "ap2 is a new domain" sh -c "test \"\$(pvctl domid ap2)\" != $ID2"
wait_for "ap2 booted again" 120 "test \$(grep -c 'PVCTL-GUEST-UP ap2' $CONSOLE_DIR/guest-ap2.log) -gt $M2"
check "from the new kernel path" sh -c "pvctl list -l ap2 | grep -q /tmp/ap-vmlinuz"
check "ap1 was not touched" test "$(pvctl domid ap1)" = "$ID1"

# --- a second apply is a no-op
check "apply again" pvctl apply "$D"
check "says nothing to do" grep -q "nothing to do" "$LAB_OUT"
plan
check "a dry run exits 0" test "$PLAN_RC" -eq 0

# --- --prune: only the set's own guest
guest_cfg apxl 'memory = 96'
if check "xl creates apxl" xl create /tmp/apxl.cfg; then
    rm -f "$D/ap2.cfg"
    plan
    check "the plan has destroy (--prune)" grep -q '^- ap2: destroy (--prune)$' /tmp/apply.plan
    check "and not the xl guest" sh -c "! grep -q apxl /tmp/apply.plan"
    check "apply without --prune" pvctl apply "$D"
    check "keeps ap2" pvctl domid ap2
    check "apply --prune" pvctl apply --prune "$D"
    check "destroyed ap2" sh -c "! xl domid ap2"
    check "left the xl guest alone" xl domid apxl
    check "and ap1" test "$(pvctl domid ap1)" = "$ID1"
    xl destroy apxl
fi

# --- a config failing half-way: its guest as it was, the others converged
acfg ap1 'memory = 112' 'maxmem = 128' \
    "disk = [ 'vdev=xvda,access=rw,target=/tmp/ap-disk1.img', 'vdev=xvdc,access=rw,target=/tmp/ap-missing.img' ]" \
    "vif = [ 'bridge=br0' ]"
acfg ap3 'memory = 96'
check_fail "apply with a missing disk image fails" pvctl apply "$D"
cp "$LAB_OUT" /tmp/apply.out
diag_file /tmp/apply.out 6
check "naming the image" grep -q /tmp/ap-missing.img /tmp/apply.out
check "and saying ap1's changes were undone" grep -q "ap1: .*undone" /tmp/apply.out
check "ap1's memory is back at 120 MiB" test "$(target ap1)" = 122880
check "ap1 has no xvdc" sh -c "! pvctl block-list ap1 | grep -q xvdc"
check "ap1 is the same domain" test "$(pvctl domid ap1)" = "$ID1"
check "ap1's saved config is as it was" sh -c "pvctl list -l ap1 | grep -q '\"memory\": 120'"
check "ap3 was created all the same" pvctl domid ap3
plan
check "the plan still has ap1's changes" grep -q '^~ ap1: memory 120 -> 112 MiB (live)$' /tmp/apply.plan
check "and no more of ap3" sh -c "! grep -q ap3 /tmp/apply.plan"

check "destroy ap1" pvctl destroy ap1
check "destroy ap3" pvctl destroy ap3
cleanup
