# SPDX-License-Identifier: GPL-2.0-or-later
# xl-lifecycle: the lab's guest image honours PV shutdown and reboot
# requests (control/shutdown), checked with Xen's own xl. If this fails,
# pvctl's shutdown/reboot scenarios cannot pass either.
set -u
. /lab/lib.sh

CHECK_TIMEOUT=120
LOGDIR=$CONSOLE_DIR

# gone NAME SECONDS: wait until xl no longer knows NAME.
gone() {
    local i=0
    while [ "$i" -lt "$(( $2 * 5 ))" ]; do
        xl domid "$1" > /dev/null 2>&1 || return 0
        sleep 0.2
        i=$((i + 1))
    done
    return 1
}

# Poweroff: xl shutdown -w returns once the guest has shut down; the
# on_poweroff action (destroy) follows.
G=xlpower
guest_cfg "$G"
check "xl create $G" xl create "/tmp/$G.cfg" &&
expect_console "guest $G is up" "$G" "PVCTL-GUEST-UP $G" 120 && {
    # pvctl reads the start time xl wrote (libxl writes SECONDS.HUNDREDTHS).
    id=$(xl domid "$G"); vm=$(xenstore-read "/local/domain/$id/vm")
    diag "xl wrote $vm/start_time = $(xenstore-read "$vm/start_time")"
    check "pvctl uptime of the xl-made $G is not 0" sh -c \
        "pvctl uptime --json | tr -d ' \n' | grep -q '\"name\":\"$G\",\"domid\":$id,\"uptime_s\":[1-9]'"
    timed check "xl shutdown -w $G (guest powers off)" xl shutdown -w "$G"
    if gone "$G" 20; then pass "$G destroyed after poweroff"; else fail "$G destroyed after poweroff"; fi
}
# The end of the guest's console (kernel messages included), for reference.
diag "console of $G:"
tr -d '\r' < "$LOGDIR/guest-$G.log" > /tmp/$G.console
diag_file /tmp/$G.console 40

# Reboot: libxl destroys the domain and builds it again (a new domid); the
# console log of the name then holds the marker twice.
G=xlreboot
guest_cfg "$G"
check "xl create $G" xl create "/tmp/$G.cfg" &&
expect_console "guest $G is up" "$G" "PVCTL-GUEST-UP $G" 120 && {
    id1=$(xl domid "$G")
    t0=$(now_ms)
    check "xl reboot $G" xl reboot "$G"
    n=0
    end=$(( $(now_ms) + 120000 ))
    while [ "$(now_ms)" -lt "$end" ]; do
        n=$(grep -c "PVCTL-GUEST-UP $G" "$LOGDIR/guest-$G.log")
        [ "$n" -ge 2 ] && break
        sleep 0.5
    done
    if [ "$n" -ge 2 ]; then
        pass "guest $G came back after reboot"
        diag "xl reboot to marker: $(( $(now_ms) - t0 )) ms"
    else
        fail "guest $G came back after reboot" "marker seen $n times"
    fi
    id2=$(xl domid "$G" 2>/dev/null)
    diag "domid before reboot $id1, after $id2"
    [ -n "$id2" ] && [ "$id2" != "$id1" ] && pass "reboot gave $G a new domid" ||
        fail "reboot gave $G a new domid" "before $id1, after $id2"
    check "xl destroy $G" xl destroy "$G"
}

# The guest image's test hooks: a shell on the console (a line written to
# the console's pty in dom0 runs in the guest), and ignore_shutdown.
G=xlstubborn
GUEST_EXTRA=ignore_shutdown guest_cfg "$G"
check "xl create $G (ignore_shutdown)" xl create "/tmp/$G.cfg" &&
expect_console "guest $G is up" "$G" "PVCTL-GUEST-UP $G" 120 && {
    id=$(xl domid "$G")
    tty=$(xenstore-read "/local/domain/$id/console/tty")
    diag "console of $G is $tty"
    sleep 1
    echo 'echo CONSOLE-$((6*7))' > "$tty"
    expect_console "a command sent to the console runs in $G" "$G" "CONSOLE-42" 20
    check "xl shutdown $G" xl shutdown "$G"
    expect_console "$G says it ignored the poweroff" "$G" "PVCTL-GUEST-IGNORED poweroff" 20
    sleep 2
    check "$G still runs" xl domid "$G"
    check "xl destroy $G" xl destroy "$G"
}
