# SPDX-License-Identifier: GPL-2.0-or-later
# pvctl-usage: the monitor's meter against known figures. A guest of
# 128 MiB and 2 vCPUs runs about 40 s: its MiB- and vCPU-seconds agree
# within 5% with Xen's memory and vCPUs x time, its CPU-seconds with xl's
# Time(s) (paused, so both are one frozen count); kill -9 of the monitor
# and a new one lose nothing (the time between counts, for a domain that
# ran on); the Prometheus file carries its counters (promtool checks it
# when dom0 has one; the unit test does anyway).
set -u
. /lab/lib.sh

CHECK_TIMEOUT=120
G=mu1
PROM=/tmp/pvctl-usage.prom
MLOG=/tmp/pvctl-usage-monitor.log
MON=

# start_monitor: our own monitor, in the foreground (so `kill -9` is ours
# to aim), writing the metrics file. One an earlier scenario's create left
# exits once it has no domain: retry until ours holds the lock.
start_monitor() {
    local end=$(( $(now_ms) + 40000 ))
    while :; do
        pvctl monitor -f --metrics-file "$PROM" >> "$MLOG" 2>&1 &
        MON=$!
        sleep 2
        kill -0 "$MON" 2>/dev/null && return 0
        [ "$(now_ms)" -lt "$end" ] || return 1
    done
}

# field NAME FILE: a number of `pvctl usage --json` (the first domain's).
field() { sed -n "s/^ *\"$1\": *\([0-9.]*\),\{0,1\}\$/\1/p" "$2" | head -n 1; }

# snapshot TAG: `pvctl usage --json $G` into /tmp/usage.TAG.
snapshot() {
    pvctl usage --json "$G" > "/tmp/usage.$1" 2>&1
    diag "usage $1: mem $(field memory_allocated_mib_seconds /tmp/usage.$1) MiB-s," \
        "vcpu $(field vcpu_allocated_seconds /tmp/usage.$1) s," \
        "cpu $(field cpu_used_seconds /tmp/usage.$1) s, to $(field to_s /tmp/usage.$1)"
}

# within GOT WANT: |GOT - WANT| <= 5% of WANT (WANT > 0).
within() {
    awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(b > 0 && d <= 0.05 * b) }'
}

# check_within DESC GOT WANT
check_within() {
    if within "$2" "$3"; then pass "$1 ($2 vs $3)"; else fail "$1" "$2 is not within 5% of $3"; fi
}

# xl_col N: column N of `xl list $G` (3: Mem MiB, 4: VCPUs, 6: Time(s)).
xl_col() { xl list "$G" 2>/dev/null | awk -v n="$1" 'NR == 2 { print $n }'; }

in_guest() {
    printf '%s\n' "$2" | timeout 20 pvctl console --timeout 4 "$1" 2>&1 | tr -d '\r' > "/tmp/$1.out"
}

: > "$MLOG"
if ! start_monitor; then
    fail "a monitor of our own runs (pvctl monitor -f --metrics-file)" "another never left"
    diag_file "$MLOG"
    exit 0
fi
pass "a monitor of our own runs (pvctl monitor -f --metrics-file)"

guest_cfg "$G" 'vcpus = 2' 'maxvcpus = 2'
t0=$(date +%s)
check "create $G (128 MiB, 2 vCPUs)" pvctl create -q "/tmp/$G.cfg" &&
expect_console "$G boots" "$G" "PVCTL-GUEST-INFO" 120 &&
wait_for "$G has both vCPUs online" 60 "test \"\$(xl list $G | awk 'NR == 2 { print \$4 }')\" = 2"
ok=$?

if [ $ok = 0 ]; then
    mem=$(xl_col 3)
    diag "xl says $G holds $mem MiB"
    # Some CPU work, so that CPU-seconds are seconds.
    in_guest "$G" 'dd if=/dev/zero of=/dev/null bs=64k count=200000 2>/dev/null &'
    sleep 6		# a sample with both vCPUs
    snapshot a
    sleep 30
    check "pause $G (its CPU time stops)" pvctl pause "$G"
    sleep 11	# two samples of the paused guest
    snapshot b
    xl_time=$(xl_col 6)
    da_to=$(awk -v a="$(field to_s /tmp/usage.a)" -v b="$(field to_s /tmp/usage.b)" 'BEGIN { print b - a }')
    d_mem=$(awk -v a="$(field memory_allocated_mib_seconds /tmp/usage.a)" \
        -v b="$(field memory_allocated_mib_seconds /tmp/usage.b)" 'BEGIN { print b - a }')
    d_vcpu=$(awk -v a="$(field vcpu_allocated_seconds /tmp/usage.a)" \
        -v b="$(field vcpu_allocated_seconds /tmp/usage.b)" 'BEGIN { print b - a }')
    check_within "MiB-seconds over ${da_to} s = memory x time" "$d_mem" \
        "$(awk -v m="$mem" -v t="$da_to" 'BEGIN { print m * t }')"
    check_within "vCPU-seconds over ${da_to} s = 2 vCPUs x time" "$d_vcpu" \
        "$(awk -v t="$da_to" 'BEGIN { print 2 * t }')"
    # Its whole life: from its create (t0) to the last sample.
    life=$(awk -v a="$t0" -v b="$(field to_s /tmp/usage.b)" 'BEGIN { print b - a }')
    check_within "MiB-seconds of its ${life} s life = memory x time" \
        "$(field memory_allocated_mib_seconds /tmp/usage.b)" \
        "$(awk -v m="$mem" -v t="$life" 'BEGIN { print m * t }')"
    check_within "CPU-seconds = xl list's Time(s)" "$(field cpu_used_seconds /tmp/usage.b)" "$xl_time"

    # The Prometheus file: its counters, by name and UUID.
    check "the metrics file has $G's memory counter" \
        grep -q "^pvctl_domain_memory_allocated_mib_seconds_total{name=\"$G\",uuid=\"" "$PROM"
    check "the metrics file has $G's CPU counter" \
        grep -q "^pvctl_domain_cpu_used_seconds_total{name=\"$G\"" "$PROM"
    if command -v promtool > /dev/null 2>&1; then
        check "promtool check metrics passes" sh -c "promtool check metrics < $PROM"
    else
        diag "no promtool in dom0: the format is checked by tests/unit/test_meter.c"
    fi

    # kill -9 and a new monitor 12 s later: the paused guest held its memory meanwhile.
    kill -9 "$MON" 2>/dev/null
    wait "$MON" 2>/dev/null
    sleep 12
    if start_monitor; then pass "a new monitor starts after kill -9"
    else fail "a new monitor starts after kill -9"; fi
    sleep 7
    snapshot c
    check "the figures survived: MiB-seconds grew" awk -v b="$(field memory_allocated_mib_seconds /tmp/usage.b)" \
        -v c="$(field memory_allocated_mib_seconds /tmp/usage.c)" 'BEGIN { exit !(c > b) }'
    life=$(awk -v a="$t0" -v b="$(field to_s /tmp/usage.c)" 'BEGIN { print b - a }')
    check_within "after the restart, MiB-seconds of its ${life} s life = memory x time (the gap counted)" \
        "$(field memory_allocated_mib_seconds /tmp/usage.c)" \
        "$(awk -v m="$mem" -v t="$life" 'BEGIN { print m * t }')"
    check_within "after the restart, CPU-seconds = xl list's Time(s)" \
        "$(field cpu_used_seconds /tmp/usage.c)" "$(xl_col 6)"

    # Destroyed: still accounted, as gone.
    check "destroy $G" pvctl destroy "$G"
    sleep 6
    snapshot d
    check "usage keeps the destroyed $G" grep -q '"exists": false' /tmp/usage.d
    check "usage --since -1m --until now lists it" sh -c "pvctl usage --since -1m --until now | grep -q '^$G '"
    diag_file /tmp/usage.d 30
fi
pvctl destroy "$G" > /dev/null 2>&1
[ -n "$MON" ] && kill "$MON" 2>/dev/null && wait "$MON" 2>/dev/null
diag_file "$MLOG" 20
release_files "/tmp/$G.cfg" "/tmp/$G.out" /tmp/usage.a /tmp/usage.b /tmp/usage.c /tmp/usage.d "$PROM" "$MLOG"
