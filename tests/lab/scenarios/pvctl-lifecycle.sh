# SPDX-License-Identifier: GPL-2.0-or-later
# pvctl-lifecycle: shutdown and reboot through the PV protocol, the
# monitor's on_poweroff/on_reboot/on_crash, pause, rename, mem-set,
# vcpu-set, console and uptime, on real guests; xl.cfg keys honoured at
# create (cpu_weight, cap, vifname, nomigrate) and refused (pool).
set -u
. /lab/lib.sh

CHECK_TIMEOUT=120

# gone NAME SECONDS: wait until no domain has that name.
gone() {
    local end=$(( $(now_ms) + $2 * 1000 ))
    while [ "$(now_ms)" -lt "$end" ]; do
        pvctl domid "$1" > /dev/null 2>&1 || return 0
        sleep 0.5
    done
    return 1
}

# markers NAME: how often NAME's console printed its boot marker.
markers() { grep -c "PVCTL-GUEST-UP $1" "$CONSOLE_DIR/guest-$1.log" 2>/dev/null; }

# in_guest NAME CMD: run CMD in the guest's console shell through
# `pvctl console` driven from a script; its output lands in /tmp/NAME.out.
in_guest() {
    printf '%s\n' "$2" | timeout 20 pvctl console --timeout 4 "$1" 2>&1 |
        tr -d '\r' > "/tmp/$1.out"
}

# guest_until NAME CMD REGEX SECONDS: run CMD in the guest until its
# output has a line matching REGEX (the guest acts on a change in its
# own time: under emulation, bringing a CPU up takes seconds).
guest_until() {
    local end=$(( $(now_ms) + $4 * 1000 ))
    while :; do
        in_guest "$1" "$2"
        grep -Eqx -- "$3" "/tmp/$1.out" && return 0
        [ "$(now_ms)" -lt "$end" ] || return 1
        sleep 1
    done
}

# state NAME: the State column of pvctl list.
state() { pvctl list "$1" 2>/dev/null | awk -v n="$1" '$1 == n { print $5 }'; }

up() {
    guest_cfg "$@"
    check "create $1" pvctl create -q "/tmp/$1.cfg" &&
    expect_console "$1 boots" "$1" "PVCTL-GUEST-INFO" 120
}

# --- console from a script
G=lc1
if up "$G"; then
    in_guest "$G" 'echo CONSOLE-$((6*7))'
    check "console: a command sent from a script runs in the guest" grep -q "CONSOLE-42" "/tmp/$G.out"
    diag_file "/tmp/$G.out" 5
    check "uptime lists $G" sh -c "pvctl uptime | grep -q '^$G '"
    check "uptime --json" sh -c "pvctl uptime --json | grep -q '\"uptime_s\"'"
    check_fail "uptime of no such domain fails" pvctl uptime no-such-domain
    check "list -l is JSON with the config, as xl's" sh -c "pvctl list -l $G | grep -q '\"kernel\": '"
    # a guest's escape sequence reaches a terminal shown, not obeyed
    if command -v script > /dev/null; then
        printf '%s\n' 'printf "ESC-\\033[31mred\\n"' | timeout 20 script -qec \
            "pvctl console --timeout 4 $G" /dev/null > "/tmp/$G.tty" 2>&1
        check "console on a terminal shows ESC as ^[" grep -q 'ESC-^\[\[31mred' "/tmp/$G.tty"
    fi

# --- pause / unpause / rename
    check "pause $G" pvctl pause "$G"
    check "list shows $G paused" sh -c "pvctl list $G | awk '\$1 == \"$G\" { exit \$5 ~ /p/ ? 0 : 1 }'"
    check "unpause $G" pvctl unpause "$G"
    check "list shows $G unpaused" sh -c "pvctl list $G | awk '\$1 == \"$G\" { exit \$5 ~ /p/ ? 1 : 0 }'"
    check "rename $G to lc1b" pvctl rename "$G" lc1b
    check "xl sees the new name" xl domid lc1b
    check_fail "renaming onto an existing name fails" pvctl rename lc1b Domain-0

# --- shutdown -w: the guest powers off, the monitor destroys it (on_poweroff=destroy)
    timed check "shutdown -w lc1b" pvctl shutdown -w -t 90 lc1b
    if gone lc1b 30; then pass "monitor destroyed lc1b after poweroff"; else fail "monitor destroyed lc1b after poweroff"; fi
fi

# --- reboot -w: on_reboot=restart brings it back as a new domain
G=lc2
if up "$G"; then
    id1=$(pvctl domid "$G")
    check "reboot -w $G" pvctl reboot -w -t 90 "$G"
    end=$(( $(now_ms) + 120000 ))
    while [ "$(markers $G)" -lt 2 ] && [ "$(now_ms)" -lt "$end" ]; do sleep 0.5; done
    check "$G came back after reboot" test "$(markers $G)" -ge 2
    id2=$(pvctl domid "$G" 2>/dev/null)
    check "$G has a new domain ID ($id1 -> $id2)" test -n "$id2" -a "$id2" != "$id1"

# --- a reboot from inside the guest (reboot -f) also comes back
    in_guest "$G" 'reboot -f'
    end=$(( $(now_ms) + 120000 ))
    while [ "$(markers $G)" -lt 3 ] && [ "$(now_ms)" -lt "$end" ]; do sleep 0.5; done
    id3=$(pvctl domid "$G" 2>/dev/null)
    check "guest-initiated reboot brings $G back ($id2 -> $id3)" test "$(markers $G)" -ge 3 -a -n "$id3" -a "$id3" != "$id2"
    pvctl destroy "$G"
fi

# --- a guest that ignores the request is reported; -F destroys it
G=lc3
GUEST_EXTRA=ignore_shutdown
up "$G"; ok=$?
GUEST_EXTRA=
if [ $ok = 0 ]; then
    check_fail "shutdown -w of a guest ignoring it fails" pvctl shutdown -w -t 15 "$G"
    cp "$LAB_OUT" /tmp/sd.err
    diag_file /tmp/sd.err 3
    check "the failure says what happened" grep -q "did not poweroff within 15 s" /tmp/sd.err
    check "shutdown --destroy-after destroys it" pvctl shutdown --destroy-after -t 5 "$G"
    if gone "$G" 10; then pass "$G is gone"; else fail "$G is gone"; fi
fi

# --- on_crash=preserve keeps the crashed domain for inspection
G=lc4
if up "$G" 'on_crash = "preserve"'; then
    in_guest "$G" 'echo c > /proc/sysrq-trigger'
    end=$(( $(now_ms) + 60000 ))
    while [ "$(now_ms)" -lt "$end" ]; do
        case $(state "$G") in *c*) break;; esac
        sleep 0.5
    done
    diag "state of $G after the crash: $(state $G)"
    check "crashed $G is preserved (state c)" sh -c "pvctl list $G | awk '\$1 == \"$G\" { exit \$5 ~ /c/ ? 0 : 1 }'"
    sleep 3
    check "still there after the monitor looked at it" pvctl domid "$G"
    check "destroy the preserved $G" pvctl destroy "$G"
fi

# --- mem-set down and up: the guest's MemTotal follows
G=lc5
if up "$G" 'maxmem = 192'; then
    memtotal() {
        in_guest "$G" 'grep MemTotal /proc/meminfo'
        awk '/^MemTotal/ { print $2 }' "/tmp/$G.out" | tail -1
    }
    # until_mem OP KB: poll the guest's MemTotal until it is OP KB (-le, -ge).
    until_mem() {
        local end=$(( $(now_ms) + 30000 )) m
        while :; do
            m=$(memtotal)
            [ -n "$m" ] && [ "$m" "$1" "$2" ] && { echo "$m"; return 0; }
            [ "$(now_ms)" -lt "$end" ] || { echo "${m:-none}"; return 1; }
            sleep 1
        done
    }
    m0=$(memtotal)
    diag "MemTotal at 128 MiB: $m0 kB"
    check "mem-set $G 96m" pvctl mem-set "$G" 96m
    # 32 MiB less is 32768 kB; allow the balloon a little slack.
    low=$(until_mem -le $(( ${m0:-0} - 30000 ))); ok=$?
    if [ $ok = 0 ]; then pass "guest MemTotal fell by 32 MiB ($m0 -> $low kB)"
    else fail "guest MemTotal fell by 32 MiB ($m0 -> $low kB)"; fi
    check "pvctl list shows 96 MiB" sh -c "pvctl list $G | awk '\$1 == \"$G\" { exit \$3 == 96 ? 0 : 1 }'"
    check "mem-set $G 160m (above the initial 128)" pvctl mem-set "$G" 160m
    high=$(until_mem -ge $(( ${m0:-0} + 30000 ))); ok=$?
    if [ $ok = 0 ]; then pass "guest MemTotal rose above its boot size ($low -> $high kB)"
    else fail "guest MemTotal rose above its boot size ($low -> $high kB)"; fi
    check_fail "mem-set above maxmem is refused" pvctl mem-set "$G" 1g
    check_fail "mem-set with a bad size is refused" pvctl mem-set "$G" lots
    pvctl destroy "$G"
fi

# --- vcpu-set 2 -> 1 -> 2: the guest sees its online CPUs change
G=lc6
if up "$G" 'vcpus = 2' 'maxvcpus = 2'; then
    check "vcpu-list shows 2 vCPUs" sh -c "test \$(pvctl vcpu-list $G | grep -c '^$G ') = 2"
    check "vcpu-set $G 1" pvctl vcpu-set "$G" 1
    if guest_until "$G" 'cat /sys/devices/system/cpu/online' 0 30; then
        pass "guest has only cpu 0 online"
    else
        fail "guest has only cpu 0 online"; diag_file "/tmp/$G.out" 5
    fi
    check "vcpu-set $G 2" pvctl vcpu-set "$G" 2
    if guest_until "$G" 'cat /sys/devices/system/cpu/online' 0-1 30; then
        pass "guest has cpus 0-1 online"
    else
        fail "guest has cpus 0-1 online"; diag_file "/tmp/$G.out" 5
    fi
    check_fail "vcpu-set above maxvcpus is refused" pvctl vcpu-set "$G" 3
    check "vcpu-pin $G all 0" pvctl vcpu-pin "$G" all 0
    check "vcpu-list --json shows the pinning" sh -c "pvctl vcpu-list --json $G | grep -q '\"affinity\": \"0\"'"
    # soft affinity through xc_vcpu_setaffinity's soft mask; "-" keeps the hard one
    check "vcpu-pin $G all - 1 (soft only)" pvctl vcpu-pin "$G" all - 1
    check "vcpu-list shows hard 0 / soft 1" sh -c "pvctl vcpu-list $G | grep -q ' 0 / 1\$'"
    pvctl destroy "$G"
fi
# --- xl.cfg keys honoured at create: cpu_weight and cap (the host's
# credit or credit2 scheduler), vifname (dom0's interface renamed),
# nomigrate (save refuses); a key pvctl cannot honour fails create -n.
G=lc7
if up "$G" 'cpu_weight = 512' 'cap = 50' 'nomigrate = 1' \
    "vif = [ 'bridge=br0,vifname=lc7net' ]"; then
    S=sched-$(xl info | awk '$1 == "xen_scheduler" { print $3 }')
    check "$S shows the config's weight and cap" sh -c \
        "pvctl $S -d $G | grep -Eq '^$G +[0-9]+ +512 +50\$'"
    check "xl $S agrees" sh -c "xl $S -d $G | grep -Eq '^$G +[0-9]+ +512 +50\$'"
    check "$S -d $G -w 300 sets the weight, keeps the cap" pvctl $S -d "$G" -w 300
    check "$S shows 300 and 50" sh -c "pvctl $S -d $G | grep -Eq ' 300 +50\$'"
    check "vifname renames the interface in dom0" ip link show lc7net
    check_fail "netback's own name is gone" ip link show "vif$(pvctl domid "$G").0"
    check "lc7net is a port of br0" test -e /sys/class/net/br0/brif/lc7net
    check_fail "save refuses a nomigrate domain" pvctl save "$G" /tmp/lc7.save
    check "$G still runs after the refused save" sh -c "pvctl list $G | grep -q '^$G '"
    pvctl destroy "$G"
    check_fail "lc7net is gone with the domain" ip link show lc7net
fi
guest_cfg lc8 'pool = "Pool-0"'
check_fail "create -n refuses pool=" pvctl create -n /tmp/lc8.cfg
check_fail "create refuses pool= as create -n does" pvctl create -q /tmp/lc8.cfg
check_fail "nothing of lc8 was made" pvctl domid lc8
check "monitor log exists" test -s /var/log/pvctl/monitor.log
diag_file /var/log/pvctl/monitor.log 30
