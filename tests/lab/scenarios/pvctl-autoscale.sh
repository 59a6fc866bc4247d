# SPDX-License-Identifier: GPL-2.0-or-later
# pvctl-autoscale: the policy loop on real guests running pvctl-agent.
# Memory is made short on purpose (a host reserve that leaves little
# free), so a hog's growth must be paid for by shrinking idle guests.
set -u
. /lab/lib.sh

CHECK_TIMEOUT=120
P=/tmp/policy.d
AUDIT=/tmp/autoscale.audit

in_guest() {
    printf '%s\n' "$2" | timeout 30 pvctl console --timeout "${3:-3}" "$1" 2>&1 |
        tr -d '\r' > "/tmp/$1.out"
}
target() { xenstore-read "/local/domain/$(pvctl domid "$1")/memory/target"; }
vcpus_online() {
    local id n=0 i
    id=$(pvctl domid "$1")
    for i in 0 1 2 3; do
        [ "$(xenstore-read /local/domain/$id/cpu/$i/availability 2>/dev/null)" = online ] && n=$((n + 1))
    done
    echo $n
}
free_mib() { pvctl info | awk '$1 == "free_memory" { print $3 }'; }

GUEST_EXTRA="agent=2"
for g in as1 as2 as3 leak1; do
    guest_cfg "$g" 'memory = 128' 'maxmem = 320' 'vcpus = 1' 'maxvcpus = 2'
    check "create $g" pvctl create -q "/tmp/$g.cfg"
done
GUEST_EXTRA=
for g in as1 as2 as3 leak1; do
    expect_console "$g runs its agent" "$g" "PVCTL-GUEST-AGENT started" 120
done
wait_for "the agents report (data/pvctl/seq)" 30 \
    "xenstore-read /local/domain/$(pvctl domid as1)/data/pvctl/seq"

# Leave the guests about 48 MiB of host memory to share.
free0=$(free_mib)
reserve=$(( free0 - 48 ))
diag "host free ${free0} MiB: reserve ${reserve} MiB"
mkdir -p $P
cat > $P/host.policy <<EOP
host_reserve = ${reserve}m
interval = 2
uncooperative_after = 20
audit_log = "$AUDIT"
EOP
cat > $P/05-leak.policy <<'EOP'
match = "leak*"
memory_min = 96m
memory_max = 160m
step_max = 32m
cooldown_up = 2
runaway_after = 10
EOP
cat > $P/10-lab.policy <<'EOP'
match = "as*"
memory_min = 96m
memory_max = 288m
headroom = 40
margin = 16m
low_water = 8m
settle = 10
step_max = 32m
step_min = 4m
cooldown_up = 2
cooldown_down = 2
vcpu_hold = 6
vcpu_up_util = 70
vcpu_down_util = 20
runaway_after = 16
EOP
check "autoscale plan runs" pvctl autoscale plan --policy $P
diag_file "$LAB_OUT"
pvctl autoscale run --policy $P > /tmp/autoscale.log 2>&1 &
ASPID=$!

# Watch host free memory the whole time: it must not fall below the reserve.
( lowest=999999; while kill -0 $ASPID 2>/dev/null; do
      f=$(free_mib); [ -n "$f" ] && [ "$f" -lt "$lowest" ] && lowest=$f && echo "$lowest" > /tmp/lowest
      sleep 1
  done ) &

wait_for "idle guests shrink toward their floor" 60 \
    "[ \$(xenstore-read /local/domain/$(pvctl domid as2)/memory/target) -lt 131072 ]"
check "autoscale status --json" sh -c "pvctl autoscale status --json | grep -q '\"domains\"'"

# A hog in as1: 4 MiB more every 2 s, up to 48 MiB (these guests are
# small: at their floor they have about 40 MiB of MemTotal).
t_as1=$(target as1)
in_guest as1 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do dd if=/dev/zero of=/dev/shm/hog$i bs=1M count=4 2>/dev/null; sleep 2; done &'
t0=$(now_ms)
wait_for "as1's target rises under the hog" 90 "[ \$(xenstore-read /local/domain/$(pvctl domid as1)/memory/target) -gt $((t_as1 + 16384)) ]" &&
    diag "BENCH autoscale reaction (hog start to raised target): $(( $(now_ms) - t0 )) ms"
sleep 20
diag "targets with the hog: as1 $(target as1) as2 $(target as2) as3 $(target as3) kB; host free $(free_mib) MiB"
check "host free memory never fell below the reserve" test "$(cat /tmp/lowest)" -ge "$((reserve - 8))"
diag "lowest host free memory seen: $(cat /tmp/lowest) MiB (reserve $reserve)"
check "idle as2 kept its floor" test "$(target as2)" -ge 98304
check "idle as3 kept its floor" test "$(target as3)" -ge 98304
check "no guest met its OOM killer" sh -c "! grep -il 'out of memory' $CONSOLE_DIR/guest-as*.log"

# The hog stops: memory flows back.
t_peak=$(target as1)
in_guest as1 'rm -f /dev/shm/hog*'
wait_for "as1 gives memory back after the hog stops" 90 \
    "[ \$(xenstore-read /local/domain/$(pvctl domid as1)/memory/target) -lt $((t_peak - 16384)) ]"

# CPU: a busy loop in 1-of-2-vCPU as2 brings its second vCPU online.
# Under load a line typed on the console can be lost: the check first
# sees the hog in the agent's reports (cpu_util), typing it again if not,
# so that a failure below is the loop's, not the console's.
UTIL=/local/domain/$(pvctl domid as2)/data/pvctl/cpu_util
util_as2() { xenstore-read $UTIL 2>/dev/null || echo 0; }
until_true() {      # until_true SECONDS SHELL-LINE: in this shell, bounded
    local end=$(( $(now_ms) + $1 * 1000 ))
    until eval "$2"; do [ "$(now_ms)" -ge "$end" ] && return 1; sleep 1; done
}
cpu_hog() {
    local try
    for try in 1 2 3; do
        in_guest as2 "$1"
        until_true 20 "$2" && return 0
        diag "as2 cpu_util $(util_as2) after '$1' (try $try)"
    done
    return 1
}
cpu_hog '[ -s /tmp/cpuhog ] || { while :; do :; done > /dev/null 2>&1 & echo $! > /tmp/cpuhog; }' \
    '[ $(util_as2) -ge 7000 ]' && pass "as2's agent reports the CPU hog (cpu_util >= 70%)" ||
    fail "as2's agent reports the CPU hog (cpu_util >= 70%)"
CPU1=/local/domain/$(pvctl domid as2)/cpu/1/availability
wait_for "a CPU hog gets as2 a second vCPU" 60 "[ \$(xenstore-read $CPU1) = online ]" ||
    diag "as2 vCPUs online: $(vcpus_online as2); cpu_util $(util_as2)"
cpu_hog 'kill $(cat /tmp/cpuhog) && rm /tmp/cpuhog' '[ $(util_as2) -le 2000 ]' &&
    pass "as2's agent reports the hog gone (cpu_util <= 20%)" ||
    fail "as2's agent reports the hog gone (cpu_util <= 20%)"
wait_for "as2 goes back to 1 vCPU after it stops" 90 "[ \$(xenstore-read $CPU1) = offline ]" ||
    diag "as2 vCPUs online: $(vcpus_online as2); cpu_util $(util_as2)"

# Garbage from a guest: stop its agent, write nonsense, rapidly. The
# target to hold is the one after the agent's last honest report has been
# acted on (under load, that one may still grow it).
in_guest as3 'killall pvctl-agent; echo STOPPED'
sleep 4
t_as3=$(target as3)
audit0=$(wc -l < $AUDIT)
# (The loop reads the whole report from data/pvctl/report: garbage there;
# the nodes per field get garbage too, and are then not read at all.)
in_guest as3 'for i in 1 2 3 4 5 6 7 8 9 10; do xenstore-write data/pvctl/report "mem_total_kb=abc mem_available_kb=-5 seq=$i" data/pvctl/mem_total_kb abc data/pvctl/mem_available_kb -5 data/pvctl/psi_mem_some 99999999999 data/pvctl/seq $i; done; xenstore-write data/pvctl/report "mem_total_kb=999999999999 mem_available_kb=1 seq=99" data/pvctl/mem_total_kb 999999999999 data/pvctl/mem_available_kb 1 data/pvctl/seq 99'
sleep 8
check "the loop survives a guest's garbage" kill -0 $ASPID
check "the garbage guest got no memory it did not earn" test "$(target as3)" -le "$t_as3" ||
    { tail -n +$((audit0 + 1)) $AUDIT | grep '"name":"as3"' | tail -n 5 > /tmp/audit.as3; diag_file /tmp/audit.as3; }
check "the garbage was noticed" sh -c "pvctl autoscale status --json | grep -q -e 'not a number' -e 'above'"

# A domain destroyed mid-run; a broken policy on SIGHUP.
check "destroy as2 while the loop runs" pvctl destroy as2

# A leak without end: stopped at its ceiling and flagged runaway; the
# others keep their floors.
pvctl domid leak1 > /dev/null 2>&1 || {
    diag "leak1 is gone; pvctl list and its console:"
    pvctl list > /tmp/list.out 2>&1; diag_file /tmp/list.out
    diag_file "$CONSOLE_DIR/guest-leak1.log" 30
}
# leak1 first gets a higher floor (144 MiB of its 160 MiB ceiling) and
# more headroom, so that the leak, 2 MiB a second, crosses the ceiling
# while the guest still has memory to spare: from its 96 MiB floor (about
# 20 MiB free under TCG) the guest could run out of memory before the
# loop's grows caught up, and crash instead of being flagged.
sed -i 's/^memory_min = .*/memory_min = 144m/; s/^runaway_after = .*/runaway_after = 6/' \
    $P/05-leak.policy
echo 'headroom = 40' >> $P/05-leak.policy
kill -HUP $ASPID
wait_for "leak1 is raised to its new floor" 60 \
    "[ \$(xenstore-read /local/domain/$(pvctl domid leak1)/memory/target) -ge 147456 ]"
in_guest leak1 'i=0; while :; do i=$((i + 1)); dd if=/dev/zero of=/dev/shm/leak$i bs=1M count=2 2>/dev/null; sleep 1; done &'
wait_for "status shows the leaking guest as runaway" 120 \
    "pvctl autoscale status --json | grep -q '\"runaway\": true'" || {
    diag "leak1's console:"; diag_file "$CONSOLE_DIR/guest-leak1.log" 25
    pvctl autoscale status --json > /tmp/status.json 2>&1; diag_file /tmp/status.json 80
}
check "the audit log has the runaway event" grep -q '"action":"runaway"' $AUDIT
check "the leaking guest stopped at its ceiling (160 MiB)" test "$(target leak1)" -le 163840
check "as1 kept its floor" test "$(target as1)" -ge 98304
check "as3 kept its floor" test "$(target as3)" -ge 98304
pvctl destroy leak1

# Room for a new guest. The loop leaves as1 where the operator puts it (a
# long shrink cooldown), and the host keeps all but 16 MiB as its reserve:
# a 96 MiB guest does not fit until the loop shrinks as1 toward its need.
# (as3 publishes garbage, so its need is unknown: it gives nothing.)
sed -i 's/^cooldown_down = .*/cooldown_down = 3600/' $P/10-lab.policy
kill -HUP $ASPID
check "mem-set as1 240m" pvctl mem-set as1 240m
wait_for "as1 balloons up to 240 MiB" 60 "[ \$(pvctl list as1 | awk 'NR == 2 { print \$3 }') -ge 236 ]"
sleep 3
reserve=$(( $(free_mib) - 16 ))
sed -i "s/^host_reserve = .*/host_reserve = ${reserve}m/" $P/host.policy
kill -HUP $ASPID
sleep 3
t_as1=$(target as1)
t_as3=$(target as3)
diag "host free $(free_mib) MiB, reserve $reserve MiB, as1 target $t_as1 kB"
guest_cfg room1 'memory = 96'
timed check "create room1: 96 MiB, 16 MiB free above the reserve" pvctl -v create /tmp/room1.cfg
diag_file "$LAB_OUT" 20
check "the create waited for the loop to make room" grep -q "room held by the autoscale loop" "$LAB_OUT"
check "as1 was shrunk to pay for it" test "$(target as1)" -lt "$t_as1"
check "as1 kept its floor" test "$(target as1)" -ge 98304
check "as3 (no valid signals) was not shrunk for it" test "$(target as3)" -ge "$t_as3"
check "the loop kept the host reserve" test "$(free_mib)" -ge "$((reserve - 8))"
check "the audit log has the room decision" grep -q '"action":"room"' $AUDIT
expect_console "room1 boots" room1 "PVCTL-GUEST-UP room1" 120
guest_cfg room2 'memory = 4096'
check_fail "a create no shrinking can make room for fails" pvctl create /tmp/room2.cfg
check "it says how much memory is missing" grep -q "MiB missing" "$LAB_OUT"
diag_file "$LAB_OUT" 5
check_fail "it left no domain behind" pvctl domid room2
check "destroy room1" pvctl destroy room1

printf 'match = "as*"\nmemory_min = lots\n' > $P/20-broken.policy
kill -HUP $ASPID
sleep 6
check "a broken policy is rejected on reload" grep -q reload-failed $AUDIT
check "the loop still runs" kill -0 $ASPID
check "and still ticks" sh -c "pvctl autoscale status --json | grep -q '\"as1\"'"
rm -f $P/20-broken.policy
check "the audit log has grow and shrink decisions" sh -c "grep -q '\"grow\"' $AUDIT && grep -q '\"shrink\"' $AUDIT"
diag "audit log (last lines):"
tail -n 5 $AUDIT > /tmp/audit.tail; diag_file /tmp/audit.tail
kill $ASPID
wait $ASPID 2>/dev/null
for g in as1 as3; do pvctl destroy $g; done
diag "autoscale stderr:"; diag_file /tmp/autoscale.log 10
