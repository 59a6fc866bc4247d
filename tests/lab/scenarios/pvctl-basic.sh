# SPDX-License-Identifier: GPL-2.0-or-later
# pvctl-basic: pvctl creates a PV guest that boots, lists it as xl does,
# sees xl's guests, and destroys it without a trace.
set -u
. /lab/lib.sh

CHECK_TIMEOUT=120

# The fields of NAME's row in a list command's output: Name ID Mem VCPUs.
row() { "$@" | awk -v n="$NAME" '$1 == n { print $1, $2, $3, $4 }'; }

check "pvctl info reports Xen 4.17" sh -c 'pvctl info | grep -q "^xen_version *: 4.17"'
check "pvctl info --json parses" sh -c 'pvctl info --json | grep -q "\"free_memory_kb\""'

NAME=pv1
guest_cfg "$NAME"
check "pvctl create --dry-run prints the resolved config" \
    sh -c "pvctl create -n /tmp/$NAME.cfg vcpus=2 maxvcpus=2 | grep -q '\"vcpus\": 2'"
check "dry run created nothing" sh -c "! xl domid $NAME"

timed check "pvctl create $NAME" pvctl -v create "/tmp/$NAME.cfg"
diag_file "$LAB_OUT"
expect_console "guest $NAME boots and prints its marker" "$NAME" "PVCTL-GUEST-UP $NAME" 120
ID=$(pvctl domid "$NAME")
check "pvctl domid agrees with xl domid" test -n "$ID" -a "$ID" = "$(xl domid $NAME)"
check "pvctl domname $ID" test "$(pvctl domname $ID)" = "$NAME"

P=$(row pvctl list)
X=$(row xl list)
diag "pvctl list: $P"
diag "xl list:    $X"
check "pvctl list shows $NAME with 128 MiB and 1 vCPU" test "$P" = "$NAME $ID 128 1"
check "xl list shows the pvctl guest identically" test "$P" = "$X"
check "pvctl list --json" sh -c "pvctl list --json $NAME | grep -q '\"name\": \"$NAME\"'"
check "pvctl list --config shows the saved config" sh -c "pvctl list --config $NAME | grep -q 'kernel /lab/guest/vmlinuz'"
expect_console "guest sees 1 online cpu" "$NAME" "PVCTL-GUEST-INFO .*cpus=1" 5
diag "XenStore of the pvctl guest:"
xenstore-ls -fp "/local/domain/$ID" > /tmp/xs.$NAME 2>&1
diag_file /tmp/xs.$NAME 100

# shape DOMID: the guest's XenStore nodes and permissions, without values,
# with its domid replaced by G: what must match between xl and pvctl.
shape() {
    xenstore-ls -fp "/local/domain/$1" | grep -v '/console/tty = ' |
        sed -e "s|^/local/domain/$1|D|" -e 's/ = .*   (/ (/' \
            -e "s/\([nrwb]\)$1\([,)]\)/\1G\2/g" | sort
}

# A guest made by xl appears in pvctl's list.
XG=xlmade
guest_cfg "$XG"
if check "xl create $XG" xl create "/tmp/$XG.cfg"; then
    NAME=$XG
    check "pvctl list shows the xl guest like xl does" test "$(row pvctl list)" = "$(row xl list)"
    XID=$(xl domid "$XG")
    shape "$ID" > /tmp/shape.pvctl
    shape "$XID" > /tmp/shape.xl
    if diff /tmp/shape.xl /tmp/shape.pvctl > /tmp/shape.diff; then
        pass "the pvctl guest's XenStore nodes and permissions match xl's"
    else
        fail "the pvctl guest's XenStore nodes and permissions match xl's"
        diag_file /tmp/shape.diff
    fi
    check "pvctl destroy works on an xl guest" pvctl destroy "$XG"
    NAME=pv1
fi

check "pvctl destroy $NAME" pvctl destroy "$NAME"
check "$NAME is gone from xl list" sh -c "! xl domid $NAME"
check "no /local/domain/$ID left" sh -c "! xenstore-read /local/domain/$ID/name"
check "no /vm/UUID left" sh -c "! xenstore-ls /vm | grep -q $NAME"
check "no saved config left" sh -c "! ls /var/lib/pvctl/domains/$ID.json"
