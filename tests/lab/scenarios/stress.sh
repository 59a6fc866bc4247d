# SPDX-License-Identifier: GPL-2.0-or-later
# stress: hunt for the random crashes of dom0 processes under TCG. Runs
# short-lived dom0 processes (busybox applets, xl, pvctl) in a loop while
# guests are created and destroyed, then counts the kernel's reports of
# crashed user processes. Run by name only (`make lab LAB=stress`), not
# with all scenarios:
# lab: by-name-only
set -u
. /lab/lib.sh

secs=240
c0=$(crash_lines | wc -l)

# Guests come and go in the background, as in the other scenarios.
guest_cfg st1 'memory = 96'
(
    end=$(( $(now_ms) + secs * 1000 ))
    n=0
    while [ "$(now_ms)" -lt "$end" ]; do
        pvctl create /tmp/st1.cfg > /dev/null 2>&1 || true
        sleep 3
        pvctl destroy st1 > /dev/null 2>&1 || true
        n=$((n + 1))
    done
    echo "$n" > /tmp/stress.cycles
) &
bg=$!

end=$(( $(now_ms) + secs * 1000 ))
i=0
while [ "$(now_ms)" -lt "$end" ]; do
    xl list > /dev/null 2>&1
    pvctl list > /dev/null 2>&1
    test -e / && cat /proc/meminfo | grep -q MemTotal
    i=$((i + 1))
done
wait "$bg"
diag "iterations: $i, guest create/destroy cycles: $(cat /tmp/stress.cycles)"

crash_lines | tail -n +$((c0 + 1)) > /tmp/crashes
diag_file /tmp/crashes
check "no dom0 process crashed" test ! -s /tmp/crashes
