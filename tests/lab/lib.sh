# SPDX-License-Identifier: GPL-2.0-or-later
# lib.sh - helpers for lab scenarios (sourced; busybox ash in the lab dom0).
#
# Everything the host parses is a line starting with "LAB: ":
#   LAB: scenario NAME            header (printed by dom0's init)
#   LAB: ok N - DESC              a passed check
#   LAB: not ok N - DESC # WHY    a failed check
#   LAB: # TEXT                   diagnostics
#   LAB: done                     dom0's init reached the end
# Check numbers run on across all scenarios of a boot (a counter file in /run).
#
# Scenarios: `. /lab/lib.sh`, then checks. Use `set -u` but not `set -e`: a
# failed check returns nonzero (so `check ... || return` can skip dependent
# steps) and must not end the scenario by itself. The helpers use `local`
# (busybox ash), so they do not clobber the scenario's variables.
#
#   check DESC CMD...          ok if CMD exits 0 within $CHECK_TIMEOUT s; on
#                              failure its output follows as diagnostics.
#                              The output stays in $LAB_OUT (a file) until
#                              the next check ends, so that one may read it:
#                              check "says why" grep -q "reason" "$LAB_OUT"
#   check_fail DESC CMD...     ok if CMD fails (a timeout is not a failure
#                              that counts: it is reported not ok).
#   wait_for_console DOM RE T  wait up to T s until guest-DOM.log matches the
#                              extended regex RE; returns 0/1, prints nothing
#                              on success, the log's tail on timeout.
#   expect_console DESC DOM RE T   wait_for_console as a check.
#   wait_for DESC T CMD        a check: passes once the shell line CMD
#                              succeeds (polled every second), fails after T s.
#   pass DESC / fail DESC [WHY] / diag TEXT / diag_file FILE
#   guest_cfg NAME [LINE...]   write a minimal PV guest config /tmp/NAME.cfg;
#                              extra LINEs are appended; $GUEST_EXTRA is
#                              appended to the kernel command line.
#   release_files PATH...      remove a scenario's files (dom0's files
#                              live in its RAM) and say what dom0 has left
#   now_ms                     a monotonic clock in ms (10 ms resolution)
#   timed CMD...               run CMD, set $LAB_MS, print "# time N ms: CMD"

CHECK_TIMEOUT=${CHECK_TIMEOUT:-120}
LAB_RUN=${LAB_RUN:-/run/lab}
LAB_OUT=$LAB_RUN/check.out
CONSOLE_DIR=${CONSOLE_DIR:-/var/log/xen/console}
mkdir -p "$LAB_RUN"

# One printf per line: dom0's console interleaves other writers.
lab_line() { printf 'LAB: %s\n' "$*"; }

lab_next() {
    LAB_N=$(cat "$LAB_RUN/count" 2>/dev/null || echo 0)
    LAB_N=$((LAB_N + 1))
    echo "$LAB_N" > "$LAB_RUN/count"
}

pass() { lab_next; lab_line "ok $LAB_N - $*"; }

fail() {
    lab_next
    if [ $# -gt 1 ]; then
        lab_line "not ok $LAB_N - $1 # $2"
    else
        lab_line "not ok $LAB_N - $1"
    fi
    return 1
}

diag() {
    printf '%s\n' "$*" | while IFS= read -r l; do lab_line "# $l"; done
}

# diag_file FILE [MAXLINES]: FILE as diagnostics (the last MAXLINES, def. 60).
diag_file() {
    [ -s "$1" ] || return 0
    local n max
    n=$(wc -l < "$1")
    max=${2:-60}
    [ "$n" -gt "$max" ] && lab_line "# ... ($((n - max)) earlier lines cut)"
    tail -n "$max" "$1" | while IFS= read -r l; do lab_line "#   $l"; done
}

# /proc/uptime is "SECONDS.CC ..."; busybox's date has no %N.
now_ms() {
    local up cs
    read -r up _ < /proc/uptime
    cs=${up#*.}
    cs=${cs#0}
    echo $(( ${up%.*} * 1000 + cs * 10 ))
}

timed() {
    local t0 rc
    t0=$(now_ms)
    "$@"
    rc=$?
    LAB_MS=$(( $(now_ms) - t0 ))
    lab_line "# time $LAB_MS ms: $*"
    return $rc
}

# crash_lines: the kernel's reports of crashed dom0 processes (see README:
# under TCG, processes in dom0 crash now and then, whatever they run).
crash_lines() {
    dmesg | grep -E 'segfault at|general protection|traps:|invalid opcode'
}

# run_bounded CMD...: CMD under timeout, output to $LAB_OUT; sets LAB_RC and
# LAB_TIMEDOUT (yes/no). busybox timeout kills with TERM (rc 143).
# A CMD that failed while the kernel logged a process crash (TCG's, not
# CMD's verdict) runs once more; the crash is reported as a diagnostic and
# counted in $LAB_RUN/crashes. A deterministic crash fails the second time.
run_bounded() {
    local t0 c0 c1 try
    for try in 1 2; do
        c0=$(crash_lines | wc -l)
        t0=$(now_ms)
        # Into a new file first: CMD may itself read the previous $LAB_OUT.
        timeout -k 5 "$CHECK_TIMEOUT" "$@" > "$LAB_OUT.new" 2>&1 < /dev/null
        LAB_RC=$?
        mv -f "$LAB_OUT.new" "$LAB_OUT"
        LAB_TIMEDOUT=no
        if [ "$LAB_RC" -ge 124 ] && [ $(( $(now_ms) - t0 )) -ge $(( CHECK_TIMEOUT * 1000 )) ]; then
            LAB_TIMEDOUT=yes
        fi
        c1=$(crash_lines | wc -l)
        [ "$LAB_RC" -ne 0 ] && [ "$c1" -gt "$c0" ] && [ "$try" = 1 ] || return 0
        echo x >> "$LAB_RUN/crashes"
        diag "a dom0 process crashed while running: $*"
        crash_lines | tail -n $((c1 - c0)) > "$LAB_RUN/crash.txt"
        diag_file "$LAB_RUN/crash.txt"
        diag "running it again (known TCG flakiness, tests/lab/README.md)"
    done
}

check() {
    local desc=$1; shift
    run_bounded "$@"
    if [ "$LAB_RC" -eq 0 ]; then
        pass "$desc"
        return 0
    fi
    if [ "$LAB_TIMEDOUT" = yes ]; then
        fail "$desc" "timed out after ${CHECK_TIMEOUT}s: $*"
    else
        fail "$desc" "exit $LAB_RC: $*"
    fi
    diag_file "$LAB_OUT"
    return 1
}

check_fail() {
    local desc=$1; shift
    run_bounded "$@"
    if [ "$LAB_TIMEDOUT" = yes ]; then
        fail "$desc" "timed out after ${CHECK_TIMEOUT}s: $*"
        diag_file "$LAB_OUT"
        return 1
    fi
    if [ "$LAB_RC" -ne 0 ]; then
        pass "$desc"
        return 0
    fi
    fail "$desc" "succeeded but should fail: $*"
    diag_file "$LAB_OUT"
    return 1
}

wait_for_console() {
    local log end
    log=$CONSOLE_DIR/guest-$1.log
    end=$(( $(now_ms) + $3 * 1000 ))
    while [ "$(now_ms)" -lt "$end" ]; do
        grep -Eq -- "$2" "$log" 2>/dev/null && return 0
        sleep 0.2
    done
    grep -Eq -- "$2" "$log" 2>/dev/null && return 0
    diag "no match for /$2/ in $log after $3 s; its tail:"
    diag_file "$log" 20
    return 1
}

expect_console() {
    if wait_for_console "$2" "$3" "$4"; then
        pass "$1"
    else
        fail "$1" "console of $2 never matched /$3/"
    fi
}

wait_for() {
    local desc=$1 end=$(( $(now_ms) + $2 * 1000 )); shift 2
    while ! sh -c "$*" > /dev/null 2>&1; do
        if [ "$(now_ms)" -ge "$end" ]; then fail "$desc"; return 1; fi
        sleep 1
    done
    pass "$desc"
}

guest_cfg() {
    local name=$1 l; shift
    {
        echo 'type = "pv"'
        echo "name = \"$name\""
        echo 'kernel = "/lab/guest/vmlinuz"'
        echo 'ramdisk = "/lab/guest/initrd.img"'
        echo "extra = \"console=hvc0 marker=$name${GUEST_EXTRA:+ $GUEST_EXTRA}\""
        echo 'memory = 128'
        echo 'vcpus = 1'
        for l in "$@"; do echo "$l"; done
    } > "/tmp/$name.cfg"
}

# Leave dom0's memory to the next scenarios: its files live in its RAM
# (xl's domain builder met dom0's OOM killer once for want of it).
release_files() {
    rm -rf "$@"
    diag "dom0 memory after cleanup: $(awk '/^(MemFree|Shmem):/ { printf "%s %d MiB ", $1, $2 / 1024 }' /proc/meminfo)"
}
