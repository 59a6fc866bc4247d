# SPDX-License-Identifier: GPL-2.0-or-later
# pvctl-domains: pvctl-domains.service's script on real Xen, as systemd
# runs it at boot (start) and at shutdown (stop): a guest configured in
# the auto directory is created; a stop with a save directory saves it
# there (and it is gone), the next start restores it (once, not also
# from its config) and removes the file; a stop without one shuts it
# down; a guest xl created is left alone throughout.
set -u
. /lab/lib.sh

CHECK_TIMEOUT=240
S=/usr/libexec/pvctl/pvctl-domains
export PVCTL_DOMAINS_CONF=/tmp/pvd.conf
AUTO=/tmp/pvd-auto
SAVE=/tmp/pvd-save
G=pvd1
X=pvdxl

count() { pvctl list 2>/dev/null | awk -v n="$1" '$1 == n' | wc -l; }

mkdir -p "$AUTO"
# 96 MiB: the save file lives in dom0's RAM (see pvctl-save).
guest_cfg "$G" "memory = 96"
cp "/tmp/$G.cfg" "$AUTO/$G.cfg"
guest_cfg "$X" "memory = 96"
printf 'PVCTL_DOMAINS_SAVE=%s\nPVCTL_DOMAINS_AUTO=%s\nPVCTL_DOMAINS_STOP_MAXWAIT=120\n' \
    "$SAVE" "$AUTO" > "$PVCTL_DOMAINS_CONF"

check "xl creates $X (not pvctl's: left alone)" xl create -q "/tmp/$X.cfg"
check "pvctl-domains start creates $G from the auto directory" "$S" start &&
check "$G runs" xl domid "$G" &&
expect_console "$G boots" "$G" "PVCTL-GUEST-INFO" 120 && {
    check "a second start creates nothing" "$S" start
    check "one $G" test "$(count "$G")" = 1
    check "pvctl-domains stop (save directory set) saves $G" "$S" stop
    check "$G is gone" sh -c "! xl domid $G"
    check "its save file is $SAVE/$G" test -s "$SAVE/$G"
    check "$X still runs" xl domid "$X"
    check "pvctl-domains start restores $G" "$S" start &&
    check "$G runs again, once" test "$(count "$G")" = 1 &&
    check "the save file is removed" test ! -e "$SAVE/$G"
    printf 'PVCTL_DOMAINS_SAVE=\nPVCTL_DOMAINS_AUTO=%s\nPVCTL_DOMAINS_STOP_MAXWAIT=120\n' \
        "$AUTO" > "$PVCTL_DOMAINS_CONF"
    check "pvctl-domains stop (no save directory) shuts $G down" "$S" stop
    wait_for "$G is gone (on_poweroff destroy, by the monitor)" 60 "! xl domid $G"
    check "$X still runs" xl domid "$X"
}
xl destroy "$X" 2>/dev/null
pvctl destroy "$G" 2>/dev/null
release_files "$AUTO" "$SAVE" "$PVCTL_DOMAINS_CONF" "/tmp/$G.cfg" "/tmp/$X.cfg"
