#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# run.sh [SCENARIO...] - boot the Xen lab under QEMU (TCG) and run scenarios.
#
# SCENARIO is the name of tests/lab/scenarios/NAME.sh; none means all of
# them but those marked "# lab: by-name-only" (long diagnostics).
# Steps: fetch.sh (cached), mkinitrd.sh (guest image cached, dom0 image
# rebuilt every run so it carries the current pvctl), then one boot of
# Xen + dom0 which runs the scenarios and powers off.
#
# Output: the "LAB: " lines of the serial console, prefix stripped, live;
# the whole serial log in $BUILD/lab.log; a closing line "N passed, N failed".
# Exit status: 0 only if every check passed, every requested scenario was
# reported and dom0 reached its end ("LAB: done").
#
# Environment (besides fetch.sh's and mkinitrd.sh's):
#   PVCTL_LAB_SCENARIO_TIMEOUT  limit per scenario in dom0 (default 600 s)
#   PVCTL_LAB_TIMEOUT           limit for the whole QEMU run
#                               (default 300 s + 630 s per scenario)
#   PVCTL_LAB_MEM               QEMU memory in MiB (default 2048; dom0 has 512)
#   PVCTL_LAB_XEN_ARGS          extra options for Xen's command line
#   PVCTL_LAB_ACCEL             QEMU's -accel (default tcg,thread=multi)
#   PVCTL_LAB_CPUS              emulated CPUs (default 2)
#
# Two hosts: when a requested scenario has the line "# lab: peer", a second
# Xen host boots beside the first (dom0 lab.role=peer, 1 GiB), and the two
# are joined by a private link (QEMU's socket network over UDP on
# 127.0.0.1, an e1000 in each; 10.99.0.1 is the host that runs the
# scenarios, 10.99.0.2 the peer). /lab/labssh is ssh's part on it. Still
# no route out of the lab. The peer's console goes to $BUILD/peer.log.
set -eu

LAB=$(cd "$(dirname "$0")" && pwd)
CACHE=${PVCTL_LAB_CACHE:-$HOME/.cache/pvctl-lab}
BUILD=${PVCTL_LAB_BUILD:-$LAB/build}
export PVCTL_LAB_CACHE="$CACHE" PVCTL_LAB_BUILD="$BUILD"
SCEN_LIMIT=${PVCTL_LAB_SCENARIO_TIMEOUT:-600}
MEM=${PVCTL_LAB_MEM:-2048}

die() { echo "run.sh: error: $*" >&2; exit 2; }

# Which scenarios.
if [ $# -eq 0 ]; then
    for f in "$LAB"/scenarios/*.sh; do
        [ -e "$f" ] || continue
        grep -qx '# lab: by-name-only' "$f" && continue
        f=${f##*/}
        set -- "$@" "${f%.sh}"
    done
fi
[ $# -gt 0 ] || die "no scenarios in $LAB/scenarios"
for s in "$@"; do
    case $s in
    *[!A-Za-z0-9_.-]*) die "bad scenario name '$s'";;
    esac
    [ -f "$LAB/scenarios/$s.sh" ] || die "no scenario $LAB/scenarios/$s.sh"
done
TOTAL_LIMIT=${PVCTL_LAB_TIMEOUT:-$((300 + $# * (SCEN_LIMIT + 30)))}

"$LAB/fetch.sh"
"$LAB/mkinitrd.sh"

# QEMU's multiboot -initrd takes "FILE ARGS,FILE ARGS": a comma inside the
# arguments must be doubled, and paths must not hold spaces or commas.
case "$CACHE$BUILD" in
*[\ ,]*) die "cache and build paths must not contain spaces or commas";;
esac
list=$(echo "$*" | sed 's/ /,,/g')
dom0_cmdline="console=hvc0 earlyprintk=xen lab.scenarios=$list lab.timeout=$SCEN_LIMIT"

peer=no
for s in "$@"; do
    grep -qx '# lab: peer' "$LAB/scenarios/$s.sh" && peer=yes
done
NIC="-nic none"
PEER_PID=
if [ "$peer" = yes ]; then
    port=$((20000 + $$ % 20000))
    NIC="-netdev socket,id=lan,udp=127.0.0.1:$((port + 1)),localaddr=127.0.0.1:$port"
    NIC="$NIC -device e1000,netdev=lan,mac=52:54:00:00:99:01"
    dom0_cmdline="$dom0_cmdline lab.addr=10.99.0.1"
fi

# Xen's options. smap=0 smep=0: required under TCG with -cpu max (dom0 dies at
# its first page fault otherwise). dom0_max_vcpus=1: with two dom0 vCPUs, xl
# now and then aborted on a pthread mutex assertion near fork() (2 of about
# 220 xl calls); none were seen with one, and runs are no slower. Later
# options win: PVCTL_LAB_XEN_ARGS="dom0_max_vcpus=2" undoes it.
xen_cmdline="dom0_mem=512M,max:512M dom0_max_vcpus=1 console=com1 com1=115200"
xen_cmdline="$xen_cmdline loglvl=all guest_loglvl=all noreboot smap=0 smep=0"
# spec-ctrl=eager-fpu: Xen switches the FPU/SSE state of vCPUs lazily on
# the AMD CPU QEMU emulates (CR0.TS, then #NM on first use), and under
# QEMU 7.2's TCG some SSE/AVX instructions do not raise #NM: dom0
# processes then ran with another vCPU's XMM registers and crashed at
# random (about 6 crashes per pvctl-autoscale run; none with eager-fpu).
xen_cmdline="$xen_cmdline spec-ctrl=eager-fpu"
xen_cmdline="$xen_cmdline${PVCTL_LAB_XEN_ARGS:+ $PVCTL_LAB_XEN_ARGS}"

LOG=$BUILD/lab.log
RC=$BUILD/qemu.rc
rm -f "$LOG" "$RC" "$BUILD/peer.log"

if [ "$peer" = yes ]; then
    echo "run.sh: booting the peer host (log $BUILD/peer.log)" >&2
    timeout -k 10 "$TOTAL_LIMIT" qemu-system-x86_64 \
        -accel "${PVCTL_LAB_ACCEL:-tcg,thread=multi}" -cpu "${PVCTL_LAB_CPU:-max}" -m 1024 \
        -smp "${PVCTL_LAB_CPUS:-2}" \
        -nographic -no-reboot -monitor none -serial stdio -display none \
        -netdev "socket,id=lan,udp=127.0.0.1:$port,localaddr=127.0.0.1:$((port + 1))" \
        -device e1000,netdev=lan,mac=52:54:00:00:99:02 \
        -kernel "$CACHE/xen" \
        -append "$xen_cmdline" \
        -initrd "$CACHE/vmlinuz console=hvc0 earlyprintk=xen lab.role=peer lab.addr=10.99.0.2,$BUILD/dom0.img" \
        < /dev/null > "$BUILD/peer.log" 2>&1 &
    PEER_PID=$!
    trap 'kill $PEER_PID 2>/dev/null || :' EXIT
fi
echo "run.sh: booting Xen lab for: $* (limit ${TOTAL_LIMIT}s, log $LOG)" >&2

CR=$(printf '\r')
start=$(date +%s.%N)
# QEMU's exit status goes through a file: it is not the pipeline's last command.
{
    timeout -k 10 "$TOTAL_LIMIT" qemu-system-x86_64 \
        -accel "${PVCTL_LAB_ACCEL:-tcg,thread=multi}" -cpu "${PVCTL_LAB_CPU:-max}" -m "$MEM" \
        -smp "${PVCTL_LAB_CPUS:-2}" \
        -nographic -no-reboot -monitor none -serial stdio -display none \
        $NIC \
        -kernel "$CACHE/xen" \
        -append "$xen_cmdline" \
        -initrd "$CACHE/vmlinuz $dom0_cmdline,$BUILD/dom0.img" \
        < /dev/null 2>&1
    echo $? > "$RC"
} | tee "$LOG" | {
    seen_scenario=no
    while IFS= read -r line; do
        # Lines end in \r\r\n: dom0's tty and Xen's serial both add a \r.
        while [ "${line%"$CR"}" != "$line" ]; do line=${line%"$CR"}; done
        case $line in
        *"LAB: "*) ;;
        *) continue;;
        esac
        line=${line#*LAB: }
        if [ "$seen_scenario" = no ] && [ "${line#scenario }" != "$line" ]; then
            seen_scenario=yes
            echo "# boot to first scenario: $(echo "$(date +%s.%N) $start" |
                awk '{ printf "%.1f", $1 - $2 }') s (host clock)"
        fi
        echo "$line"
    done
}
[ -z "$PEER_PID" ] || kill "$PEER_PID" 2>/dev/null || true

# Verdict, from the whole log: the first "LAB: " of each line onwards.
RESULTS=$BUILD/lab.results
tr -d '\r' < "$LOG" |
    awk '{ i = index($0, "LAB: "); if (i) print substr($0, i + 5) }' > "$RESULTS"
passed=$(grep -c '^ok ' "$RESULTS" || true)
failed=$(grep -c '^not ok ' "$RESULTS" || true)

# Harness-level failures count as failed checks too.
harness_fail() { echo "not ok - harness: $*"; failed=$((failed + 1)); }
qrc=$(cat "$RC" 2>/dev/null || echo "?")
case $qrc in
0) ;;
124|137) harness_fail "QEMU killed after ${TOTAL_LIMIT}s (PVCTL_LAB_TIMEOUT)";;
*) harness_fail "QEMU exited with status $qrc (see $LOG)";;
esac
# The serial console can drop a line under load (one header went so):
# a scenario has reported with its header or its closing line, and every
# check dom0 numbered must have arrived, since a lost one may have failed.
for s in "$@"; do
    grep -qx "scenario $s" "$RESULTS" ||
        grep -q "^# scenario $s finished in " "$RESULTS" ||
        harness_fail "scenario $s never reported"
done
missing=$(sed -nE 's/^(not )?ok ([0-9]+) .*/\2/p' "$RESULTS" |
    awk '{ seen[$1] = 1; if ($1 > n) n = $1 }
         END { for (i = 1; i <= n; i++) if (!(i in seen)) printf "%d ", i }')
[ -z "$missing" ] || harness_fail "checks ${missing}never reached the host (see $LOG)"
grep -qx done "$RESULTS" || harness_fail "dom0 never reached its end (no 'LAB: done'; see $LOG)"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
