# SPDX-License-Identifier: GPL-2.0-or-later
# pvctl-devices: disks (blkback, file-backed through a loop device) and
# vifs (netback on br0) at create time and hot-plugged, set up by pvctl
# itself without Xen's hotplug scripts; detach; teardown on destroy.
set -u
. /lab/lib.sh

CHECK_TIMEOUT=120

in_guest() {
    printf '%s\n' "$2" | timeout 30 pvctl console --timeout "${3:-4}" "$1" 2>&1 |
        tr -d '\r' > "/tmp/$1.out"
}

loops() { ls /sys/block | grep -c '^loop' ; }
used_loops() { cat /sys/block/loop*/loop/backing_file 2>/dev/null | wc -l; }
ports() { ls /sys/class/net/br0/brif 2>/dev/null | wc -l; }

G=dev1
dd if=/dev/zero of=/tmp/disk1.img bs=1M count=16 2>/dev/null
dd if=/dev/zero of=/tmp/disk2.img bs=1M count=8 2>/dev/null
loops0=$(used_loops)
ports0=$(ports)
guest_cfg "$G" "disk = [ 'vdev=xvda,access=rw,target=/tmp/disk1.img' ]" \
    "vif = [ 'bridge=br0' ]"
timed check "create $G with a disk and a vif" pvctl -v create "/tmp/$G.cfg"
diag_file "$LAB_OUT"
if expect_console "$G boots" "$G" "PVCTL-GUEST-INFO" 120; then
    check "block-list shows xvda" sh -c "pvctl block-list $G | grep -q xvda"
    check "network-list shows a Xen MAC" sh -c "pvctl network-list $G | grep -q '00:16:3e:'"
    check "xl block-list sees the disk" sh -c "xl block-list $G | grep -q 51712"
    check "xl network-list sees the vif" sh -c "xl network-list $G | grep -q '00:16:3e'"
    pvctl block-list "$G" > /tmp/bl; diag_file /tmp/bl
    xl block-list "$G" > /tmp/bl 2>&1; diag_file /tmp/bl
    xl network-list "$G" > /tmp/bl 2>&1; diag_file /tmp/bl
    in_guest "$G" 'ls /dev/xvd*; ip link'
    check "guest sees /dev/xvda" grep -q "/dev/xvda" "/tmp/$G.out"
    check "guest sees eth0" grep -q "eth0" "/tmp/$G.out"
    diag_file "/tmp/$G.out" 12
    in_guest "$G" 'echo PVCTL-DISK-MARK | dd of=/dev/xvda bs=512 count=1 conv=sync 2>/dev/null; sync; echo WROTE'
    check "guest wrote its marker block" grep -q WROTE "/tmp/$G.out"
    in_guest "$G" 'ip addr add 169.254.0.2/16 dev eth0; ip link set eth0 up; sleep 2; ping -c 2 -W 3 169.254.0.1' 12
    check "guest pings dom0 across br0" grep -q "bytes from 169.254.0.1" "/tmp/$G.out"
    diag_file "/tmp/$G.out" 8
    check "vif is a port of br0" test "$(ports)" -gt "$ports0"

    # The backend is dom0's: the guest may read it but not redirect its disk.
    ID=$(pvctl domid "$G")
    BE=/local/domain/0/backend/vbd/$ID/51712
    in_guest "$G" "xenstore-read $BE/params; xenstore-write $BE/params /etc/shadow && echo W1-OK || echo W1-DENIED; xenstore-write $BE/physical-device 8:0 && echo W2-OK || echo W2-DENIED; xenstore-write data/probe 1 && echo W3-OK || echo W3-DENIED"
    diag_file "/tmp/$G.out" 8
    check "the guest can read its backend" grep -q "^/tmp/disk1.img" "/tmp/$G.out"
    check "the guest cannot rewrite its backend's params" grep -q W1-DENIED "/tmp/$G.out"
    check "the guest cannot rewrite its backend's physical-device" grep -q W2-DENIED "/tmp/$G.out"
    check "the guest can write its own data/" grep -q W3-OK "/tmp/$G.out"
    check "params unchanged in dom0" test "$(xenstore-read $BE/params)" = /tmp/disk1.img

    # Hot-plug a second disk and vif, then detach them.
    check "block-attach xvdb" pvctl block-attach "$G" 'vdev=xvdb,access=rw,target=/tmp/disk2.img'
    check "network-attach a second vif, rate-limited" pvctl network-attach "$G" bridge=br0,rate=10Mb/s
    # netback's credit: 10 Mb/s is 62500 bytes per 50 ms (xl writes the same)
    check "its backend has rate = 62500,50000" test \
        "$(xenstore-read /local/domain/0/backend/vif/$(pvctl domid $G)/1/rate)" = 62500,50000
    sleep 2
    in_guest "$G" 'ls /dev/xvd*; ip link'
    check "guest sees xvdb" grep -q "/dev/xvdb" "/tmp/$G.out"
    check "guest sees eth1" grep -q "eth1" "/tmp/$G.out"
    check "block-detach xvdb" pvctl block-detach "$G" xvdb
    check "network-detach devid 1" pvctl network-detach "$G" 1
    sleep 2
    in_guest "$G" 'ls /dev/xvd*; ip link'
    check_fail "xvdb is gone from the guest" grep -q "/dev/xvdb" "/tmp/$G.out"
    check_fail "eth1 is gone from the guest" grep -q "eth1" "/tmp/$G.out"
    check "block-list no longer shows xvdb" sh -c "! pvctl block-list $G | grep -q xvdb"

    # script=: the vif's hotplug script plugs it, run as libxl runs it (the
    # lab's /etc/xen/scripts/vif-bridge, the one xl uses here too).
    p0=$(ports)
    VBE=/local/domain/0/backend/vif/$(pvctl domid $G)/1
    check "network-attach with script=vif-bridge" pvctl network-attach "$G" bridge=br0,script=vif-bridge
    check "the backend names the script" test "$(xenstore-read $VBE/script)" = /etc/xen/scripts/vif-bridge
    check "the script put the vif on br0" test "$(ports)" -eq $((p0 + 1))
    check "network-detach runs it offline" pvctl network-detach "$G" 1
    check "which took the vif off br0" test "$(ports)" -eq "$p0"
    printf '#!/bin/sh\necho "no network today" >&2\nexit 3\n' > /tmp/bad-hook
    chmod 755 /tmp/bad-hook
    check_fail "a failing script fails the attach" pvctl network-attach "$G" bridge=br0,script=/tmp/bad-hook
    check "saying why" grep -q "failed (exit 3: no network today)" "$LAB_OUT"
    check_fail "and leaves no backend" xenstore-exists $VBE
    check "nor a bridge port" test "$(ports)" -eq "$p0"
fi
check "destroy $G" pvctl destroy "$G"
sleep 2
check "the marker reached the image file" sh -c "head -c 15 /tmp/disk1.img | grep -q PVCTL-DISK-MARK"
check "no loop device left in use" test "$(used_loops)" = "$loops0"
check "no bridge port left" test "$(ports)" = "$ports0"
check "no backend nodes left" sh -c "! xenstore-ls /local/domain/0/backend 2>/dev/null | grep -q 'frontend-id'"

# A create that fails after its disk's loop device was set up (the vif's
# bridge does not exist) leaves no loop device, node or domain behind.
G=dev2
guest_cfg "$G" "disk = [ 'vdev=xvda,access=rw,target=/tmp/disk1.img' ]" \
    "vif = [ 'bridge=nosuchbr' ]"
check_fail "create with a vif on a missing bridge fails" pvctl create "/tmp/$G.cfg"
cp "$LAB_OUT" /tmp/dev2.err
diag_file /tmp/dev2.err 3
check "the message names the bridge" grep -q nosuchbr /tmp/dev2.err
check "no domain left" sh -c "! xl domid $G"
check "no loop device left in use" test "$(used_loops)" = "$loops0"
check "no backend nodes left" sh -c "! xenstore-ls /local/domain/0/backend 2>/dev/null | grep -q 'frontend-id'"
guest_cfg "$G" "disk = [ 'vdev=xvda,access=rw,target=/tmp/no-such.img' ]"
check_fail "create with a missing disk image fails" pvctl create "/tmp/$G.cfg"
cp "$LAB_OUT" /tmp/dev2.err
check "the message names the image" grep -q /tmp/no-such.img /tmp/dev2.err
check "no domain left" sh -c "! xl domid $G"

# A create interrupted midway (Ctrl-C, or here SIGTERM, since a shell's
# background job ignores SIGINT) is undone at its next step. The vif's
# hotplug script (vif-bridge behind a 3 s sleep) holds the create while
# the domain, its disk's loop device and its vif exist; the signal lands
# then.
printf '#!/bin/sh\ntouch /tmp/hook-running\nsleep 3\nexec /etc/xen/scripts/vif-bridge "$@"\n' > /tmp/slow-hook
chmod 755 /tmp/slow-hook
rm -f /tmp/hook-running
G=dev3
guest_cfg "$G" "disk = [ 'vdev=xvda,access=rw,target=/tmp/disk1.img' ]" \
    "vif = [ 'bridge=br0,script=/tmp/slow-hook' ]"
pvctl create "/tmp/$G.cfg" > /tmp/dev3.err 2>&1 &
pid=$!
if wait_for "the create reaches the vif's hotplug script" 60 "test -e /tmp/hook-running"; then
    check "the domain exists meanwhile" xl domid "$G"
    kill -TERM $pid
fi
wait $pid
rc=$?
diag_file /tmp/dev3.err 4
check "the interrupted create fails" test "$rc" -ne 0
check "saying it was interrupted" grep -q "create failed: interrupted" /tmp/dev3.err
check "no domain left" sh -c "! xl domid $G"
check "no loop device left in use" test "$(used_loops)" = "$loops0"
check "no bridge port left" test "$(ports)" = "$ports0"
check "no backend nodes left" sh -c "! xenstore-ls /local/domain/0/backend 2>/dev/null | grep -q 'frontend-id'"
