# SPDX-License-Identifier: GPL-2.0-or-later
# pvctl-autoscale-pack: density without harm.
#
# Guests of one config (memory = 256, the lab's busybox guest running
# pvctl-agent) are created one after the other while `pvctl autoscale
# run` runs, until a create is refused because the loop can make no more
# room. Each guest, once up, runs small bursts every 8 s (three forks,
# 4-8 MiB written to its tmpfs and deleted). After the refusal the packed
# guests run on for 3 minutes. Passes when:
# every create before the refused one succeeded; the refusal came at
# once, says how much memory is missing and left no domain; every packed
# guest is alive at the end, its bursts went on and none failed; no guest
# met its OOM killer (its console, the agent's counter, the loop's status
# and audit log); the loop's grows never took host free memory below the
# reserve (a create may take from the reserve, as pvctl-policy(5) says; the
# new guest's shrinking must give it back); and the loop ran at least
# twice as many guests as a static allocation of the same memory fits.
# Prints (BENCH lines) the two counts, their ratio, the memory saved and
# the lowest MemAvailable of a guest; and, as diagnostics, the shrinks made
# for creates and the urgent grows with what they were judged on.
#
# Time: on a quiet lab host seven guests were packed in 80-115 s and the
# scenario took 285-325 s (three runs). The guests then use about half
# of the lab's two emulated CPUs; with another QEMU lab on the same two
# host cores they saturate them, boots take minutes and the packing runs
# out of time (its checks say so; the guests' console tails show why).
#
# The host. The lab has about 1.5 GiB free for guests. A paused ballast
# domain (no policy matches it: the loop leaves it alone) takes all but
# 3.5 guest footprints above a reserve of about 64 MiB: statically 3
# guests fit and half a footprint is lost to rounding, the middle of the
# band where the static count is 3 (neither the best nor the worst case
# for the comparison). host_reserve alone would not bound the packing: a
# create the loop cannot make room for above the reserve still goes on if
# it fits counting the reserve, so the guests would fill the whole lab.
#
# The policy: headroom 20, margin 32m, low_water 16m, the defaults, written
# out (the safe setting this proves), memory_min 96m; settle 20 and
# cooldown_down 4, so that idle guests shrink within the scenario.
set -u
. /lab/lib.sh

CHECK_TIMEOUT=120
P=/tmp/pack-policy.d
AUDIT=/tmp/pack-autoscale.audit
SAMPLES=/tmp/pack.samples       # watcher: "F|L MS FREE_MIB" lines
OOMSEEN=/tmp/pack.oomseen       # watcher: "oom_kills" above 0 in the status
STATUS=${PVCTL_RUN_DIR:-/run/pvctl}/autoscale.json  # the loop's, each tick
WFLAG=/tmp/pack.watching
MEM=256                         # every packed guest's memory, MiB
STATIC_WANT=3                   # the host fits this many statically...
RESERVE_WANT=64                 # ...above a reserve of about this, MiB
MAXG=10                         # give up packing after this many guests
SOAK_WANT=180                   # s the packed guests run after the refusal
PERIOD=8                        # s between a guest's bursts
T_START=$(now_ms)
END_BY=$((T_START + 540000))    # the soak ends by then (the limit is 600 s)

ASPID= WPID=
cleanup() {
    trap - EXIT
    rm -f "$WFLAG"
    [ -n "$WPID" ] && kill "$WPID" 2>/dev/null
    if [ -n "$ASPID" ]; then
        kill "$ASPID" 2>/dev/null
        wait "$ASPID" 2>/dev/null
    fi
    WPID= ASPID=
    for g in $(timeout 30 pvctl list 2>/dev/null |
               awk 'NR > 1 && ($1 ~ /^pk[0-9]+$/ || $1 == "packballast") { print $1 }'); do
        timeout 60 pvctl destroy "$g" > /dev/null 2>&1 || diag "cleanup: destroy $g failed"
    done
    release_files /tmp/pack* /tmp/pk* $CONSOLE_DIR/guest-pk*.log $CONSOLE_DIR/guest-packballast.log
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP

in_guest() {
    printf '%s\n' "$2" | timeout 30 pvctl console --timeout "${3:-3}" "$1" 2>&1 |
        tr -d '\r' > "/tmp/$1.out"
}
free_mib() { timeout 10 pvctl info 2>/dev/null | awk '$1 == "free_memory" { print $3 }'; }
free_sure() {  # free_mib, tried three times: the host's shape depends on it
    local f try
    for try in 1 2 3; do
        f=$(free_mib)
        [ -n "$f" ] && { echo "$f"; return 0; }
        sleep 1
    done
    echo 0
}
xs() { timeout 10 xenstore-read "$@" 2>/dev/null; }
con() { echo "$CONSOLE_DIR/guest-$1.log"; }
dompath() { echo "/local/domain/$(timeout 10 pvctl domid "$1" 2>/dev/null)"; }
secs() { echo $(( ($(now_ms) - T_START) / 1000 )); }
# dump_loop: what the loop sees (per domain: memory, target, need, why)
# and its last decisions, as diagnostics.
dump_loop() {
    cat "$STATUS" > /tmp/pack.dump 2>/dev/null
    awk '/"domains"/ { d = 1; print "host:" h }
         !d && /"host_/ { gsub(/[",]/, ""); h = h " " $1 " " int($2 / 1024) " MiB" }
         d && /"name"/ { gsub(/[",]/, ""); n = $2 }
         d && /"memory_kb"/ { gsub(/[",]/, ""); m = $2 }
         d && /"target_kb"/ { gsub(/[",]/, ""); t = $2 }
         d && /"need_kb"/ { gsub(/[",]/, ""); nd = $2 }
         d && /"why"/ { sub(/^[^:]*: */, ""); printf "%s: memory %d, target %d, need %d MiB: %s\n", n, m / 1024, t / 1024, nd / 1024, $0 }' \
        /tmp/pack.dump > /tmp/pack.dump.txt
    diag_file /tmp/pack.dump.txt 15
    tail -n "${1:-12}" "$AUDIT" 2>/dev/null | sed 's/"signals":{[^}]*},//; s/"policy":"[^"]*",//' |
        cut -c 1-400 > /tmp/pack.audit.tail
    diag "audit log, last lines:"
    diag_file /tmp/pack.audit.tail "${1:-12}"
}
dom0_top() {
    timeout 20 top -b -n 1 2>/dev/null | head -n 14 > /tmp/pack.top
    diag_file /tmp/pack.top 14
}
# cpu_times: CPU seconds per domain so far (who eats the lab's 2 CPUs)
cpu_times() {
    timeout 20 pvctl list 2>/dev/null | awk 'NR > 1 { printf "%s %ss; ", $1, $NF }'
}
mkcfg() {
    local saved=$GUEST_EXTRA
    GUEST_EXTRA=$2
    guest_cfg "$1" "memory = $3" "maxmem = $3"
    GUEST_EXTRA=$saved
}
GUEST_EXTRA=

# The bursts, one line (the guest's init evals each console line): three
# forked shells, and 4-8 MiB written to the guest's tmpfs (page cache the
# kernel cannot drop: there is no swap), deleted once the forks are done.
# Few programs run: under TCG each exec costs tens of ms of emulated CPU,
# and with seven guests a heavier burst had the two CPUs saturated (the
# guests' kernels took minutes to boot). The console may echo the line
# into the log: what is grepped for below ("PVCTL-PACK-BURST n=DIGITS")
# only appears when the code runs ($m). Idempotent: sent twice, it still
# runs one loop.
BURST='m=PVCTL-PACK; pkb() { n=0; while [ -e /tmp/pkgo ]; do n=$((n + 1)); s=$((4 + n % 5)); ( : ) & ( : ) & ( : ) & dd if=/dev/zero of=/dev/shm/pkb bs=1M count=$s 2>/dev/null || echo "$m-BURST-FAIL n=$n"; wait; rm -f /dev/shm/pkb; echo "$m-BURST n=$n mib=$s"; sleep '$PERIOD'; done; }; [ -e /tmp/pkgo ] || { touch /tmp/pkgo; pkb & }'
bursts() {  # GUEST: the number of the last burst it printed (0: none)
    tr -d '\r' < "$(con "$1")" 2>/dev/null |
        sed -n 's/.*PVCTL-PACK-BURST n=\([0-9][0-9]*\) .*/\1/p' | tail -n 1 | grep . || echo 0
}
HARM_RE='out of memory|oom-kill|killed process|pack-burst-fail|can.t fork'

# up GUEST: agent reporting, bursts running; one check. Waits at most
# until PACK_END (+420 s), so that a slow lab still leaves time for the
# soak and the checks within the scenario's 600 s.
PACK_END=$((T_START + 420000))
up() {
    local d why= w
    w=$(( (PACK_END - $(now_ms)) / 1000 ))
    [ "$w" -gt 90 ] && w=90
    [ "$w" -lt 10 ] && w=10
    if ! wait_for_console "$1" "PVCTL-GUEST-AGENT started" $w; then
        why="its agent did not start within $w s"
    else
        d=$(dompath "$1")
        local end=$(( $(now_ms) + 30000 ))
        while ! xs "$d/data/pvctl/mem_available_kb" > /dev/null; do
            [ "$(now_ms)" -ge "$end" ] && { why="no agent report in 30 s"; break; }
            sleep 0.5
        done
    fi
    if [ -z "$why" ]; then
        in_guest "$1" "$BURST"
        if ! wait_for_console "$1" "PVCTL-PACK-BURST n=[0-9]+ " 20; then
            diag "sending $1 its bursts again; 'pvctl console' said:"
            diag_file "/tmp/$1.out" 5
            in_guest "$1" "$BURST"
            wait_for_console "$1" "PVCTL-PACK-BURST n=[0-9]+ " 20 || why="its bursts never started"
        fi
    fi
    if [ -z "$why" ]; then
        pass "$1 is up: its agent reports, its bursts run (+$(secs) s)"
    else
        fail "$1 is up: its agent reports, its bursts run" "$why"
        return 1
    fi
}

# --- the host: one guest's footprint, then the ballast -------------------
free0=$(free_sure)
mkcfg pk1 "agent=2" $MEM
check "create pk1 ($MEM MiB)" pvctl create -q /tmp/pk1.cfg ||
    { diag "cannot go on without a first guest"; exit 0; }
free1=$(free_sure)
F=$((free0 - free1))
FSRC="measured: host free memory before and after pk1's create"
if [ "$F" -lt "$MEM" ] || [ "$F" -gt $((MEM + 16)) ]; then
    diag "pk1's create took $F MiB of host free memory ($free0 -> $free1): using the configured $MEM MiB"
    F=$MEM
    FSRC="the configured memory"
fi
# What the guests may use above the reserve: 3.5 footprints.
ROOM=$(( (2 * STATIC_WANT + 1) * F / 2 ))
B=$(( free1 - (ROOM - F) - RESERVE_WANT ))
diag "host free $free0 MiB; one guest's footprint $F MiB ($FSRC); room for the guests above the reserve: $ROOM MiB"
if [ "$B" -ge 160 ]; then
    mkcfg packballast "" $B
    if check "create a $B MiB ballast domain (no policy matches it)" pvctl create -q /tmp/packballast.cfg; then
        timeout 30 pvctl pause packballast || diag "could not pause the ballast (it boots and idles)"
    fi
else
    diag "no ballast ($B MiB would be too small): the reserve is larger instead"
fi
free2=$(free_sure)
reserve=$(( free2 - (ROOM - F) ))
[ "$reserve" -lt 0 ] && reserve=0
# A static allocation: guests at their footprint, never shrunk. Fair
# either way: with the reserve given up too, the count is the same here.
N_STATIC=$(( ROOM / F ))
N_STATIC_R=$(( (ROOM + reserve) / F ))
diag "host free $free2 MiB, reserve $reserve MiB: $ROOM MiB for guests (pk1's included); statically $N_STATIC guests fit ($N_STATIC_R giving up the reserve)"

# --- the policy, the loop, the watcher -------------------------------------
mkdir -p $P
cat > $P/host.policy <<EOP
host_reserve = ${reserve}m
interval = 2
uncooperative_after = 30
audit_log = "$AUDIT"
EOP
cat > $P/10-pack.policy <<'EOP'
match = "pk*"
memory_min = 96m
headroom = 20
margin = 32m
low_water = 16m
settle = 20
cooldown_down = 4
EOP
check "autoscale plan runs" pvctl autoscale plan --policy $P
diag_file "$LAB_OUT" 5
rm -f "$STATUS"                  # a stale one, from a loop that ran before
pvctl autoscale run --policy $P > /tmp/pack-autoscale.log 2>&1 &
ASPID=$!

# The watcher, cheap (dom0 has one vCPU for all of it): host free memory
# as the loop read it on its last tick, from its status file, every 2 s
# (L lines), and from `pvctl info` every 10 s (F lines); every "oom_kills"
# above 0 in that status (the guest's counter under "signals", the loop's
# count per domain).
: > $SAMPLES
: > $OOMSEEN
touch $WFLAG
(
    k=0
    while [ -e $WFLAG ]; do
        t=$(now_ms)
        if cat "$STATUS" > /tmp/pack.w 2>/dev/null; then
            awk -v t=$t '/"host_free_kb"/ && !h { h = 1; s = $0; gsub(/[^0-9]/, "", s); print "L", t, int(s / 1024) }
                /"name"/ { n = $0; gsub(/[", ]/, "", n); sub(/^name:/, "", n) }
                /"mem_available_kb"/ && n ~ /^pk/ { a = $0; gsub(/[^0-9]/, "", a); print "A", t, n, a }' /tmp/pack.w >> $SAMPLES
            grep -q '"oom_kills"' /tmp/pack.w && echo x > /tmp/pack.oomfield
            grep -E '"oom_kills": *[1-9]' /tmp/pack.w >> $OOMSEEN
        fi
        [ $((k % 5)) -eq 0 ] && echo "F $t $(free_mib)" >> $SAMPLES
        k=$((k + 1))
        sleep 2
    done
) &
WPID=$!

# --- packing --------------------------------------------------------------
PACKED=
CREATE_LOW=$reserve             # lowest host free right after a create
N_CREATED=0
refused=
up pk1
PACKED=pk1
N_CREATED=1
i=2
while [ $i -le $MAXG ]; do
    if [ "$(now_ms)" -ge $((T_START + 300000)) ]; then
        fail "packing ends in time" "no refusal after $N_CREATED guests at +$(secs) s"
        break
    fi
    mkcfg pk$i "agent=2" $MEM
    t0=$(now_ms)
    run_bounded pvctl -v create /tmp/pk$i.cfg
    ms=$(( $(now_ms) - t0 ))
    if [ "$LAB_RC" -eq 0 ]; then
        f=$(free_mib)
        [ -n "$f" ] && [ "$f" -lt "$CREATE_LOW" ] && CREATE_LOW=$f
        room=$(sed -n 's/^ *\([0-9.]*s\) *room held by the autoscale loop.*/\1/p' "$LAB_OUT")
        pass "create pk$i: guest $i (${ms} ms, room from the loop in ${room:-?}; host free after: ${f:-?} MiB)"
        [ "$ms" -ge 20000 ] && { diag "a slow create: its steps, and dom0's top"; grep -E '^ +[0-9.]+s ' "$LAB_OUT" > /tmp/pack.steps; diag_file /tmp/pack.steps 12; dom0_top; }
        N_CREATED=$i
        PACKED="$PACKED pk$i"
        up pk$i
        i=$((i + 1))
        continue
    fi
    if [ "$LAB_TIMEDOUT" = no ] && grep -q 'MiB missing' "$LAB_OUT"; then
        refused=pk$i
        pass "the loop refuses guest $i: $(grep -m 1 'MiB missing' "$LAB_OUT" | sed 's/^pvctl: *//')"
        check "the refusal came at once (${ms} ms)" test "$ms" -lt 30000
        check_fail "the refused create left no domain" pvctl domid pk$i
        dump_loop 6
    else
        fail "create pk$i" "exit $LAB_RC after ${ms} ms (timed out: $LAB_TIMEDOUT), not a refusal by the loop"
        diag_file "$LAB_OUT" 15
        diag "what the loop saw then:"
        dump_loop 25
    fi
    break
done
[ -n "$refused" ] || [ $i -le $MAXG ] ||
    fail "a create is refused once the loop can make no more room" "$MAXG guests created"
diag "packed: $N_CREATED guests ($PACKED) at +$(secs) s; refused: ${refused:-none}"
cat "$STATUS" > /tmp/pack.st0 2>/dev/null
tn_of() {  # STATUS-FILE: "NAME target T MiB, need N MiB; ..."
    awk '/"domains"/ { d = 1 }
         d && /"name"/ { gsub(/[",]/, ""); n = $2 }
         d && /"target_kb"/ { gsub(/[",]/, ""); t = $2 }
         d && /"need_kb"/ { gsub(/[",]/, ""); o = o n " " int(t / 1024) "/" int($2 / 1024) " " }
         END { print o }' "$1"
}
diag "at the refusal, target/need in MiB: $(tn_of /tmp/pack.st0)"
diag "CPU so far: $(cpu_times)"
diag "dom0's top:"; dom0_top

# --- soak: bursts go on ---------------------------------------------------
SOAK=$(( (END_BY - $(now_ms)) / 1000 - 40 ))
[ "$SOAK" -gt "$SOAK_WANT" ] && SOAK=$SOAK_WANT
[ "$SOAK" -lt 30 ] && SOAK=30
T_SOAK=$(now_ms)
for g in $PACKED; do eval "b0_$g=$(bursts $g)"; done
diag "soak: $SOAK s with bursts every ${PERIOD} s in every guest"
# Where a guest's CPU goes (its own view: st is time Xen gave to others).
in_guest pk1 'top -b -n 1 | head -n 12' 8
diag "pk1's top:"; grep -v PVCTL-PACK-BURST /tmp/pk1.out > /tmp/pk1.top; diag_file /tmp/pk1.top 14
dead=
while [ $(( $(now_ms) - T_SOAK )) -lt $((SOAK * 1000)) ]; do
    sleep 15
    timeout 20 pvctl list > /tmp/pack.list 2>/dev/null || continue
    for g in $PACKED; do
        case " $dead " in *" $g "*) continue;; esac
        awk -v g=$g '$1 == g { f = 1 } END { exit !f }' /tmp/pack.list && continue
        dead="$dead $g"
        diag "$g is gone at +$(( ($(now_ms) - T_SOAK) / 1000 )) s of the soak; its console:"
        diag_file "$(con $g)" 15
    done
done
T_END=$(now_ms)
diag "soak over at +$(secs) s; CPU so far: $(cpu_times)"
diag "dom0's top:"; dom0_top

# --- collect ----------------------------------------------------------------
rm -f $WFLAG
cat "$STATUS" > /tmp/pack.final 2>/dev/null
grep -E '"oom_kills": *[1-9]' /tmp/pack.final >> $OOMSEEN
check "the loop still runs" kill -0 $ASPID

# --- checks ---------------------------------------------------------------
check "every packed guest is alive after the soak ($N_CREATED guests)" test -z "$dead" ||
    diag "gone:$dead"

harmed=
for g in $PACKED; do
    if grep -Eiq "$HARM_RE" "$(con $g)" 2>/dev/null; then
        harmed="$harmed $g"
        diag "$g's console:"
        grep -Ei -B2 "$HARM_RE" "$(con $g)" | tail -n 10 > /tmp/pack.harm
        diag_file /tmp/pack.harm
    fi
done
check "no guest's console shows an OOM kill or a failed burst or fork" test -z "$harmed" ||
    diag "in:$harmed"

bad=
for g in $PACKED; do
    n=$(xs $(dompath $g)/data/pvctl/oom_kills) || continue
    [ "$n" = 0 ] || bad="$bad $g:$n"
done
check "the agents count no OOM kill (data/pvctl/oom_kills)" test -z "$bad" || diag "$bad"

# Every "oom_kills" in every status sample (the guest's counter under
# "signals", the loop's count per domain): 0, or absent in a build that
# does not count them.
if [ -e /tmp/pack.oomfield ]; then
    diag "autoscale status carries oom_kills"
else
    diag "autoscale status has no oom_kills (not counted by this build)"
fi
[ -f "$AUDIT" ] || : > "$AUDIT"
grep '"action": *"oom-kill"' "$AUDIT" > /tmp/pack.oomev
check "the loop saw no OOM kill (status oom_kills, audit oom-kill events)" \
    test ! -s $OOMSEEN -a ! -s /tmp/pack.oomev ||
    { head -n 5 $OOMSEEN > /tmp/pack.x; diag_file /tmp/pack.x; diag_file /tmp/pack.oomev 5; }

slow=
for g in $PACKED; do
    case " $dead " in *" $g "*) continue;; esac
    eval "b0=\$b0_$g"
    b1=$(bursts $g)
    [ $((b1 - b0)) -ge $((SOAK / (PERIOD + 1) / 3)) ] || slow="$slow $g:$((b1 - b0))"
    eval "b1_$g=$b1"
done
check "every guest's bursts went on through the soak (at least a third of the nominal count)" \
    test -z "$slow" || diag "too few bursts:$slow (nominal $((SOAK / (PERIOD + 1))))"
bs=
for g in $PACKED; do eval "bs=\"\$bs $g:\$((\${b1_$g:-0} - \$b0_$g))\""; done
diag "bursts during the soak:$bs"

lowfree=$(awk '($1 == "F" || $1 == "L") && $3 ~ /^[0-9]+$/ { if (lo == "" || $3 + 0 < lo) lo = $3 + 0 } END { print lo }' $SAMPLES)
lowsoak=$(awk -v a=$((T_END - 60000)) '($1 == "F" || $1 == "L") && $2 >= a && $3 ~ /^[0-9]+$/ { if (lo == "" || $3 + 0 < lo) lo = $3 + 0 } END { print lo }' $SAMPLES)
floor=$reserve
[ "$CREATE_LOW" -lt "$floor" ] && floor=$CREATE_LOW
diag "host free memory: lowest ${lowfree:-?} MiB, ${lowsoak:-?} MiB in the soak's last 60 s; reserve $reserve MiB; creates left it at $CREATE_LOW MiB at the lowest ($(grep -c '^L ' $SAMPLES) samples from the loop's status, $(grep -c '^F ' $SAMPLES) from pvctl info)"
[ "$CREATE_LOW" -lt "$reserve" ] &&
    diag "a create left host free memory $((reserve - CREATE_LOW)) MiB below the reserve (pvctl-policy(5): the reserve bounds the loop's grows, not creates)"
check "the loop's grows never took host free memory more than 8 MiB below the reserve (or below what a create left)" \
    test "${lowfree:-0}" -ge $((floor - 8))
check "host free memory is back above the reserve - 8 MiB (the soak's last 60 s)" \
    test "${lowsoak:-0}" -ge $((reserve - 8))

# --- density ----------------------------------------------------------------
M=0 sum_kb=0 rows=
for g in $PACKED; do
    case " $dead $harmed " in *" $g "*) continue;; esac
    t=$(xs $(dompath $g)/memory/target) || continue
    M=$((M + 1))
    sum_kb=$((sum_kb + t))
    rows="$rows $g:$((t / 1024))"
done
diag "targets after the soak (MiB):$rows"
diag "after the soak, target/need in MiB (the loop's view): $(tn_of /tmp/pack.final)"
ratio100=0
[ "$N_STATIC" -gt 0 ] && ratio100=$(( M * 100 / N_STATIC ))
diag "BENCH density: static $N_STATIC guests, with the loop $M guests, ratio $((ratio100 / 100)).$(printf %02d $((ratio100 % 100)))"
if [ "$M" -gt 0 ]; then
    saved=$(( 1000 - sum_kb * 1000 / (M * MEM * 1024) ))
    diag "BENCH memory saved vs static: $((saved / 10)).$((saved % 10))% (the $M guests' targets sum to $((sum_kb / 1024)) MiB of $((M * MEM)) MiB configured)"
fi
check "the loop runs at least twice as many healthy guests as a static allocation fits" \
    test "$ratio100" -ge 200

# --- how close to the edge ---------------------------------------------------
# The guests' MemAvailable as the loop saw it (its status, every 2 s) and
# its urgent grows (MemAvailable under low_water 16 MiB, or about to be).
awk '$1 == "A" && $4 ~ /^[0-9]+$/ { if (!($3 in lo) || $4 + 0 < lo[$3]) lo[$3] = $4 + 0 }
     END { for (g in lo) print g, lo[g] }' $SAMPLES | sort > /tmp/pack.lowav
grep '"action": *"grow-urgent"' "$AUDIT" > /tmp/pack.urgent
diag "lowest MemAvailable per guest (MiB, the loop's status every 2 s): $(awk '{ printf "%s %d; ", $1, $2 / 1024 }' /tmp/pack.lowav)"
diag "urgent grows per guest: $(sed -n 's/.*"name": *"\([^"]*\)".*/\1/p' /tmp/pack.urgent | sort | uniq -c | awk '{ printf "%s %s; ", $2, $1 }')"
sed 's/.*"name": *"\([^"]*\)".*"why": *"\([^"]*\)".*/\1: \2/' /tmp/pack.urgent | cut -c 1-220 | head -n 5 > /tmp/pack.urgent.why
diag_file /tmp/pack.urgent.why 5
lo=$(sort -k2,2n /tmp/pack.lowav | head -n 1)
[ -n "$lo" ] && diag "BENCH lowest MemAvailable of a packed guest: $(( ${lo#* } / 1024 )) MiB (${lo% *}; low_water 16 MiB)"

# --- what the loop did --------------------------------------------------------
diag "audit decisions: $(sed -n 's/.*"action": *"\([a-z-]*\)".*/\1/p' "$AUDIT" | sort | uniq -c | awk '{ printf "%s %s; ", $2, $1 }')"
# The shrinks made for creates and the urgent grows, with what they were
# judged on: the need, the memory the domain held (the hypervisor's, read
# at the tick) and the MemTotal of the guest's last report (the need
# counts the difference as what the kernel holds outside MemTotal).
audit_moves() {  # GREP-RE
    grep -E "$1" "$AUDIT" | awk '
    function jn(k,   s) { if (!match($0, "\"" k "\": *-?[0-9]+")) return -1; s = substr($0, RSTART, RLENGTH); sub(/^[^:]*: */, "", s); return s + 0 }
    function js(k,   s) { if (!match($0, "\"" k "\": *\"[^\"]*\"")) return ""; s = substr($0, RSTART, RLENGTH); sub(/^[^:]*: *"/, "", s); sub(/"$/, "", s); return s }
    { printf "%s %d->%d (need %d; memory %d, MemTotal %d, available %d); ", js("name"), jn("from") / 1024, jn("to") / 1024,
          jn("need_kb") / 1024, jn("memory_kb") / 1024, jn("mem_total_kb") / 1024, jn("mem_available_kb") / 1024 }'
}
diag "shrinks for creates (MiB): $(audit_moves '"action":"shrink".*to make room')"
diag "urgent grows (MiB): $(audit_moves '"action":"grow-urgent"')"
grep -E '"action": *"(room|no-room)"' "$AUDIT" | sed 's/.*"detail": *"\([^"]*\)".*/\1/' > /tmp/pack.room
diag "room decisions:"; diag_file /tmp/pack.room 12
diag "autoscale stderr:"; diag_file /tmp/pack-autoscale.log 10
cleanup
diag "scenario time: $(secs) s"
exit 0
