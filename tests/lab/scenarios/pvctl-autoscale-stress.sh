# SPDX-License-Identifier: GPL-2.0-or-later
# pvctl-autoscale-stress: the autoscale loop under stress must never
# starve a guest into its OOM killer.
#
# Two guests grow their memory use at the same time, hog4 at 4 MiB/s (to
# 64 MiB) and hog8 at 8 MiB/s (to 96 MiB), while dom0 runs a CPU-bound
# busy loop and two idle guests sit beside them; five such episodes, each
# followed by a pause in which the loop shrinks the hogs back (partly).
# The host reserve leaves the guests just the room for the hogs' peaks as
# the loop itself counts needs (`autoscale plan --json` before the load),
# plus half of what the idle guests hold above their need: the peaks fit
# only if the idle guests give back. Passes when: no guest meets its OOM
# killer (console, the guests' own counters, the loop's view), every guest
# survives, no target ever goes below its floor, host free memory never
# falls more than 8 MiB below the reserve, and the hogs really ran at
# their rates. Prints (BENCH lines) the lowest MemAvailable of each hog,
# the worst gap between need and target, dom0's CPU use, the agents'
# report counts, and the loop's timings when the audit log carries them.
#
# How: the hogs run inside the guests as a small daemon (hogd, defined
# through the console before the load starts) that waits for an episode
# number in its XenStore (data/lab/go, written by dom0 for both guests in
# one xenstore-write, so they start together, within the 1 s they poll),
# fills /dev/shm at its rate by the guest's own clock, holds the peak,
# frees it and reports on its console (PVCTL-HOG lines, with the guest's
# uptime to line them up with the kernel's OOM reports). The busy loop
# runs from the loop's start to the end of the episodes (the guests are
# created and the hogs set up before). A watcher in dom0 samples targets,
# MemAvailable, host free memory and `pvctl autoscale status` every
# second. Lab time: about 4 minutes on a quiet host.
set -u
. /lab/lib.sh

CHECK_TIMEOUT=120
P=/tmp/stress-policy.d
AUDIT=/tmp/stress-autoscale.audit
SAMPLES=/tmp/stress.samples     # watcher: X (XenStore), F (host free) lines
STATLOG=/tmp/stress.status      # watcher: raw `autoscale status`, "@@ MS" first
WFLAG=/tmp/stress.watching
HOGS="hog4 hog8"
IDLE="idle1 idle2"
GUESTS="$HOGS $IDLE"
FLOOR_KB=98304                  # memory_min below
EPISODES=5
HOLD=5                          # s a hog holds its peak (guest's clock)
PAUSE=8                         # s after both freed, for the loop to shrink
rate_hog4=4; max_hog4=64        # MiB/s, MiB
rate_hog8=8; max_hog8=96
T_START=$(now_ms)
# The lab kills a scenario after 600 s (busybox timeout, whose clock runs
# slow on a starved dom0): no episode starts after 300 s and no wait runs
# past 380 s, which leaves what follows (collecting, checks, figures; 2
# minutes on a lab slowed down by another QEMU on the host) its time.
EP_DEADLINE=$((T_START + 300000))
EP_HARD=$((T_START + 380000))

ASPID= BUSYPID= WPID=
cleanup() {
    trap - EXIT
    rm -f "$WFLAG"
    [ -n "$BUSYPID" ] && kill "$BUSYPID" 2>/dev/null
    [ -n "$WPID" ] && kill "$WPID" 2>/dev/null
    if [ -n "$ASPID" ]; then
        kill "$ASPID" 2>/dev/null
        i=0
        while kill -0 "$ASPID" 2>/dev/null && [ $i -lt 20 ]; do sleep 0.5; i=$((i + 1)); done
        kill -0 "$ASPID" 2>/dev/null && { diag "cleanup: autoscale ignored TERM for 10 s"; kill -9 "$ASPID"; }
    fi
    WPID= BUSYPID= ASPID=
    for g in $GUESTS; do
        timeout 60 pvctl domid "$g" > /dev/null 2>&1 &&
            { timeout 60 pvctl destroy "$g" > /dev/null 2>&1 || diag "cleanup: destroy $g failed"; }
    done
    release_files /tmp/stress* /tmp/stress-policy.d /tmp/audit.tail /tmp/floors /tmp/oom.txt /tmp/oomrows /tmp/st.json $CONSOLE_DIR/guest-hog*.log $CONSOLE_DIR/guest-idle*.log
}
trap cleanup EXIT
trap 'exit 143' TERM INT HUP

in_guest() {
    printf '%s\n' "$2" | timeout 30 pvctl console --timeout "${3:-3}" "$1" 2>&1 |
        tr -d '\r' > "/tmp/$1.out"
}
free_mib() { timeout 30 pvctl info | awk '$1 == "free_memory" { print $3 }'; }
xs() { timeout 10 xenstore-read "$@" 2>/dev/null; }
con() { echo "$CONSOLE_DIR/guest-$1.log"; }
since() { echo "+$(( ($(now_ms) - T_START) / 1000 )) s"; }
OOM_RE='out of memory|oom-kill|killed process'
oom_count() { grep -Eic "$OOM_RE" "$(con $1)" 2>/dev/null; }
# wait_hog GUEST RE SECONDS: 0 once GUEST's console matches RE, 2 as soon
# as it shows a new OOM kill (its hog may be dead: no use waiting), 1
# after SECONDS; prints what it waited for when it did not see it.
wait_hog() {
    local end k0
    end=$(( $(now_ms) + $3 * 1000 ))
    k0=$(oom_count $1)
    while :; do
        grep -Eq -- "$2" "$(con $1)" 2>/dev/null && return 0
        if [ "$(oom_count $1)" -gt "$k0" ]; then
            diag "$1 met its OOM killer while waiting for /$2/:"
            tr -d '\r' < "$(con $1)" | grep -E -i "PVCTL-HOG |invoked oom-killer|$OOM_RE|shmem:" | tail -n 12 > /tmp/stress.wait
            diag_file /tmp/stress.wait
            return 2
        fi
        [ "$(now_ms)" -ge "$end" ] && break
        sleep 0.5
    done
    diag "no /$2/ on $1's console after $3 s; its hog lines and tail:"
    { tr -d '\r' < "$(con $1)" | grep "PVCTL-HOG " | tail -n 4; tr -d '\r' < "$(con $1)" | tail -n 6; } > /tmp/stress.wait
    diag_file /tmp/stress.wait
    return 1
}
# left MAX: seconds to wait, at most MAX, at least 3, not past EP_HARD.
left() {
    local l=$(( (EP_HARD - $(now_ms)) / 1000 ))
    [ $l -gt $1 ] && l=$1
    [ $l -lt 3 ] && l=3
    echo $l
}
# cpu_cs PID: CPU time (user + system) used by PID so far, in 1/100 s.
cpu_cs() { set -- $(cat /proc/$1/stat 2>/dev/null); echo $(( ${14:-0} + ${15:-0} )); }

# --- guests -------------------------------------------------------------
GUEST_EXTRA="agent=2"
for g in $GUESTS; do
    guest_cfg "$g" 'maxmem = 320'
    check "create $g" pvctl create -q "/tmp/$g.cfg" || { diag "cannot go on without $g"; exit 0; }
done
GUEST_EXTRA=
for g in $GUESTS; do
    expect_console "$g runs its agent" "$g" "PVCTL-GUEST-AGENT started" 120
done
for g in $GUESTS; do
    eval "id_$g=$(timeout 30 pvctl domid $g)"
done
D() { eval "echo /local/domain/\$id_$1"; }
for g in $GUESTS; do
    wait_for "$g's agent reports (data/pvctl/mem_available_kb)" 60 \
        "xenstore-read $(D $g)/data/pvctl/mem_available_kb"
done

# --- the in-guest hog (one line per definition: the guest evals lines) ---
# The console echoes these lines back into the log: what the scenario
# greps for ("PVCTL-HOG ep=N ...", "PVCTL-HOG ") only appears when the
# code runs ($m).
HOGAV='hogav() { a=$(awk '"'"'$1 == "MemAvailable:" { print $2 }'"'"' /proc/meminfo); [ -n "$a" ] && [ "$a" -lt "$mav" ] && mav=$a; }'
HOGOOM='hogoom() { awk '"'"'$1 == "oom_kill" { print $2 }'"'"' /proc/vmstat; }'
HOGD=$(tr '\n' ' ' <<'EOF'
hogd() {
 m=PVCTL-HOG; r=$1; max=$2; hold=$3;
 last=$(xenstore-read data/lab/go 2>/dev/null);
 echo "$m armed rate=$r max=$max hold=$hold go=$last";
 while :; do
  ep=$(xenstore-read data/lab/go 2>/dev/null);
  [ "$ep" = stop ] && break;
  if [ -z "$ep" ] || [ "$ep" = "$last" ]; then sleep 1; continue; fi;
  last=$ep; have=0; mav=999999999; o0=$(hogoom);
  read u _ < /proc/uptime; t0=${u%.*}${u#*.};
  echo "$m ep=$ep start up=$u";
  while [ "$have" -lt "$max" ]; do
   read u _ < /proc/uptime; now=${u%.*}${u#*.};
   want=$(( r * (now - t0) / 100 ));
   [ "$want" -gt "$max" ] && want=$max;
   if [ "$want" -gt "$have" ]; then
    dd if=/dev/zero of=/dev/shm/hog$have bs=1M count=$((want - have)) 2>/dev/null || echo "$m ep=$ep dd-failed at=$have";
    have=$want;
   fi;
   hogav; sleep 0.2;
  done;
  read u _ < /proc/uptime; t1=${u%.*}${u#*.};
  set -- $(du -sk /dev/shm); shm=$1;
  echo "$m ep=$ep peak_mib=$have shm_kb=$shm fill_cs=$((t1 - t0)) minavail_kb=$mav up=$u";
  end=$((t1 + hold * 100)); now=$t1;
  while [ "$now" -lt "$end" ]; do hogav; sleep 0.3; read u _ < /proc/uptime; now=${u%.*}${u#*.}; done;
  rm -f /dev/shm/hog*; read u _ < /proc/uptime;
  echo "$m ep=$ep freed up=$u minavail_kb=$mav oom_kill=$(hogoom) oom_kill_before=$o0";
 done;
 echo "$m stopped";
}
EOF
)
arm() {  # arm GUEST RATE MAX
    in_guest "$1" "$HOGAV
$HOGOOM
$HOGD
xenstore-write data/lab/go 0; hogd $2 $3 $HOLD &" 4
}
for g in $HOGS; do
    eval "arm $g \$rate_$g \$max_$g"
    if ! wait_for_console "$g" "PVCTL-HOG armed rate=" 30; then
        diag "the hog in $g did not say it started; 'pvctl console' output:"
        diag_file "/tmp/$g.out" 20
        # Send it again only if the guest never ran the line (no go key):
        # two daemons would hog twice.
        if ! xs $(D $g)/data/lab/go > /dev/null; then
            diag "the guest never ran it: sending it again"
            eval "arm $g \$rate_$g \$max_$g"
        fi
    fi
    expect_console "the hog daemon runs in $g" "$g" "PVCTL-HOG armed rate=" 30
done

# --- policy: the hogs' peaks fit only if the idle guests give back ----
HEADROOM=40
host_policy() {  # RESERVE_MIB
    cat > $P/host.policy <<EOP
host_reserve = ${1}m
interval = 2
uncooperative_after = 30
audit_log = "$AUDIT"
EOP
}
mkdir -p $P
host_policy 0
cat > $P/10-stress.policy <<EOP
match = ["hog*", "idle*"]
memory_min = 96m
memory_max = 288m
headroom = $HEADROOM
step_max = 64m
step_min = 4m
cooldown_up = 2
cooldown_down = 4
runaway_after = 300
# --- keys for the stress case added later (see pvctl-policy(5)) go here ---
EOP
# The reserve, from the loop's own view of the idle guests (plan --json:
# need_kb, target_kb): at their peaks the hogs need what they need now
# plus their hog over (1 - headroom); the idle guests keep their need.
# The room above the reserve covers that, plus half of what the idle
# guests hold above their need: without that surplus it does not fit.
# (Whatever else the loop adds to a need, a predicted growth say, comes
# on top and may leave the hogs short of their need: the gap figures
# below show by how much.)
free0=$(free_mib)
timeout 60 pvctl autoscale plan --policy $P --json 2>/dev/null | tr ',' '\n' | awk '
function jn(k,   s) { if (!match($0, "\"" k "\": *-?[0-9]+")) return ""; s = substr($0, RSTART, RLENGTH); sub(/^[^:]*: */, "", s); return s }
match($0, /"name": *"[^"]*"/) { s = substr($0, RSTART, RLENGTH); sub(/^"name": *"/, "", s); sub(/"$/, "", s); cur = s; next }
cur != "" && (v = jn("target_kb")) != "" { tg[cur] = v }
cur != "" && (v = jn("need_kb")) != "" { nd[cur] = v }
END { for (n in tg) if (n in nd) print n, tg[n], nd[n] }' > /tmp/stress.plan
peak_kb=0 cur_kb=0 surplus_kb=0 rows=0
while read -r g t n; do
    case " $GUESTS " in *" $g "*) ;; *) continue;; esac
    rows=$((rows + 1))
    cur_kb=$((cur_kb + t))
    case $g in
    hog*) eval "m=\$max_$g"
          peak_kb=$((peak_kb + n + m * 1024 * 100 / (100 - HEADROOM)))
          diag "$g: holds $((t / 1024)) MiB, needs $((n / 1024)) MiB now, about $(( (n + m * 1024 * 100 / (100 - HEADROOM)) / 1024 )) MiB at its peak";;
    *)    peak_kb=$((peak_kb + n))
          [ "$t" -gt "$n" ] && surplus_kb=$((surplus_kb + t - n))
          diag "$g: holds $((t / 1024)) MiB, needs $((n / 1024)) MiB";;
    esac
done < /tmp/stress.plan
if [ "$rows" -eq 4 ]; then
    room_mib=$(( (peak_kb - cur_kb + surplus_kb / 2) / 1024 ))
else
    room_mib=160
    diag "no needs from 'autoscale plan --json' ($rows guests): 160 MiB of room"
fi
[ "$room_mib" -lt 32 ] && room_mib=32
reserve=$((free0 - room_mib))
diag "host free ${free0} MiB; reserve ${reserve} MiB: ${room_mib} MiB above it for the guests to share (the idle guests hold $((surplus_kb / 1024)) MiB above their need)"
host_policy $reserve
check "autoscale plan runs" pvctl autoscale plan --policy $P
diag_file "$LAB_OUT"

# --- load: a CPU hog in dom0, the loop, the watcher ----------------------
( while :; do :; done ) &
BUSYPID=$!
pvctl autoscale run --policy $P > /tmp/stress-autoscale.log 2>&1 &
ASPID=$!
XSDPID=$(cat /run/xenstored.pid 2>/dev/null)
XSDPID=${XSDPID:-1}
T_LOAD=$(now_ms)
for g in $GUESTS; do eval "seq0_$g=$(xs $(D $g)/data/pvctl/seq)"; done
XSD_CPU0=$(cpu_cs $XSDPID)
diag "$(since): dom0 busy loop pid $BUSYPID, autoscale pid $ASPID"

XSPATHS=
for g in $HOGS; do
    XSPATHS="$XSPATHS $(D $g)/memory/target $(D $g)/data/pvctl/mem_available_kb"
done
for g in $IDLE; do XSPATHS="$XSPATHS $(D $g)/memory/target"; done
# (XenStore is the lab's bottleneck under TCG: 6 reads a second, that is all.)
: > $SAMPLES
: > $STATLOG
touch $WFLAG
# Its stderr (a shell says "Terminated" when a timeout fires) to a file.
(
    while [ -e $WFLAG ]; do
        t=$(now_ms)
        v=$(timeout 10 xenstore-read $XSPATHS 2>/dev/null) ||
            v=$(for p in $XSPATHS; do timeout 10 xenstore-read $p 2>/dev/null || echo -; done)
        echo "X $t" $v >> $SAMPLES
        echo "F $t $(timeout 10 pvctl info 2>/dev/null | awk '$1 == "free_memory" { print $3 }')" >> $SAMPLES
        { echo "@@ $t"; timeout 10 pvctl autoscale status --json 2>/dev/null; } >> $STATLOG
        d=$(( 1000 - ($(now_ms) - t) ))
        [ "$d" -gt 0 ] && sleep "0.$(printf %03d $d)"
    done
) 2> /tmp/stress.watcher.err &
WPID=$!

wait_for "the loop reports on all four guests (autoscale status)" 60 \
    "timeout 10 pvctl autoscale status --json > /tmp/st.json && for g in $GUESTS; do grep -q \"\\\"\$g\\\"\" /tmp/st.json || exit 1; done" ||
    diag_file /tmp/st.json 60
diag "$(since): the loop runs"

# --- episodes ------------------------------------------------------------
EP_WIN=                         # "ep t_go t_freed" per episode
DEAD=                           # hogs that stopped answering
fill_fail=
ep=1
while [ $ep -le $EPISODES ]; do
    if [ "$(now_ms)" -ge "$EP_DEADLINE" ]; then
        fail "episode $ep starts in time" "no lab time left after $((ep - 1)) episodes ($(( ($(now_ms) - T_START) / 1000 )) s)"
        break
    fi
    tgo=$(now_ms)
    # Both go keys in one request, so that the hogs start together.
    if ! timeout 30 xenstore-write $(D hog4)/data/lab/go $ep $(D hog8)/data/lab/go $ep; then
        fail "episode $ep: start both hogs" "xenstore-write of data/lab/go failed after $(( ($(now_ms) - tgo) / 1000 )) s"
        ep=$((ep + 1)); continue
    fi
    [ $(( $(now_ms) - tgo )) -gt 2000 ] && diag "episode $ep: writing data/lab/go took $(( $(now_ms) - tgo )) ms"
    ok=yes why= live=
    for g in $HOGS; do
        case " $DEAD " in *" $g "*) ok=no why="$why $g's hog is gone;"; continue;; esac
        if wait_hog $g "PVCTL-HOG ep=$ep start" $(left 30); then
            live="$live $g"
        else
            ok=no why="$why $g's hog never started;"
            # Its command loop or hog was killed: no use waiting again.
            grep -q "PVCTL-HOG ep=$ep start" "$(con $g)" || DEAD="$DEAD $g"
        fi
    done
    for g in $live; do
        lim=$(left 75)
        wait_hog $g "PVCTL-HOG ep=$ep freed" $lim || { ok=no; why="$why $g did not free (within ${lim}s);"; }
    done
    tfreed=$(now_ms)
    EP_WIN="$EP_WIN$ep $tgo $tfreed
"
    line=
    for g in $HOGS; do
        eval "max=\$max_$g rate=\$rate_$g"
        set -- $(tr -d '\r' < $(con $g) | sed -n "s/.*PVCTL-HOG ep=$ep peak_mib=\([0-9]*\) shm_kb=\([0-9]*\) fill_cs=\([0-9]*\) minavail_kb=\([0-9]*\).*/\1 \2 \3 \4/p" | tail -n 1)
        if [ $# -ne 4 ]; then
            ok=no why="$why no peak line from $g;"
            continue
        fi
        line="$line $g: ${2} kB in /dev/shm after $(($3 / 100)).$(printf %02d $(($3 % 100))) s (nominal $((max / rate)) s), lowest MemAvailable $(($4 / 1024)) MiB;"
        [ "$2" -ge $(( (max - 1) * 1024 )) ] || { ok=no; why="$why $g held only $2 kB (wanted $max MiB);"; }
        # The stated rate, within 2x (+2 s): a hog slowed to a crawl
        # (by reclaim in a starved guest) is not the stress asked for.
        [ "$3" -le $(( max * 200 / rate + 200 )) ] || fill_fail="$fill_fail ep$ep:$g:$(($3 / 100))s"
    done
    diag "$(since): episode $ep ($(( (tfreed - tgo) / 1000 )) s):$line"
    if [ $ok = yes ]; then
        pass "episode $ep: hog4 filled $max_hog4 MiB and hog8 $max_hog8 MiB together, held and freed them"
    else
        fail "episode $ep: hog4 filled $max_hog4 MiB and hog8 $max_hog8 MiB together, held and freed them" "$why"
    fi
    if [ -n "$DEAD" ] && [ -z "$live" ]; then
        fail "episodes $((ep + 1)) to $EPISODES" "skipped: no hog runs any more ($DEAD)"
        break
    fi
    [ $ep -lt $EPISODES ] && sleep $PAUSE
    ep=$((ep + 1))
done

# --- stop the load, collect --------------------------------------------
# The figures come from files: first the load, the loop and the watcher
# go, so that the checks and the parsing do not run on a starved dom0.
load_s=$(( ($(now_ms) - T_LOAD) / 1000 ))
as_cpu=$(cpu_cs $ASPID) busy_cpu=$(cpu_cs $BUSYPID) xsd_cpu=$(( $(cpu_cs $XSDPID) - XSD_CPU0 ))
check "the loop still runs" kill -0 $ASPID
timeout 30 pvctl autoscale status --json > /tmp/stress.final.json 2>&1
{ echo "@@ $(now_ms)"; cat /tmp/stress.final.json; } >> $STATLOG
kill $BUSYPID 2>/dev/null; BUSYPID=
kill $ASPID 2>/dev/null
rm -f $WFLAG
kill $WPID 2>/dev/null; WPID=
diag "BENCH dom0 CPU over the $load_s s under load: autoscale $((as_cpu / 100)) s, xenstored $((xsd_cpu / 100)) s, the busy loop $((busy_cpu / 100)) s"
reports=
for g in $GUESTS; do
    n=$(xs $(D $g)/data/pvctl/seq)
    eval "n0=\$seq0_$g"
    [ -n "$n" ] && [ -n "$n0" ] && reports="$reports $g $((n - n0));"
done
diag "BENCH agent reports under load ($load_s s, agent period 2 s):$reports"
i=0
while kill -0 $ASPID 2>/dev/null && [ $i -lt 20 ]; do sleep 0.5; i=$((i + 1)); done
kill -0 $ASPID 2>/dev/null || ASPID=
diag "$(since): watcher: $(grep -c '^X ' $SAMPLES) XenStore samples, $(grep -c '^@@ ' $STATLOG) status samples in $load_s s; $(grep -c Terminated /tmp/stress.watcher.err) of its commands timed out"

dead=
for g in $GUESTS; do timeout 30 pvctl domid $g > /dev/null 2>&1 || dead="$dead $g"; done
check "every guest is still alive" test -z "$dead" || diag "gone:$dead"
# The agents' own OOM kill counters, while the guests are there.
agent_oom=
for g in $GUESTS; do
    n=$(xs $(D $g)/data/pvctl/oom_kills) || continue
    agent_oom="$agent_oom $g:$n"
done
for g in $GUESTS; do
    case " $dead " in *" $g "*) continue;; esac
    timeout 60 pvctl destroy "$g" > /dev/null 2>&1 || diag "destroy $g failed"
done

# Status samples as rows: G MS NAME TARGET NEED OOM_KILLS AVAIL HOST_FREE
# (- where a field is absent; the snapshot is split at commas so that the
# parse does not depend on how the JSON is laid out).
tr ',' '\n' < $STATLOG | awk '
function jn(k,   s) { if (!match($0, "\"" k "\": *-?[0-9]+")) return ""; s = substr($0, RSTART, RLENGTH); sub(/^[^:]*: */, "", s); return s }
function flush(   n) {
    for (n in tg) if (n in nd)
        print "G", ts, n, tg[n], nd[n], ((n in om) ? om[n] : "-"), ((n in av) ? av[n] : "-"), hf
    split("", tg); split("", nd); split("", om); split("", av)
}
/^@@ / { if (ts != "") flush(); ts = $2; hf = "-"; cur = ""; next }
{
    if (match($0, /"name": *"[^"]*"/)) { s = substr($0, RSTART, RLENGTH); sub(/^"name": *"/, "", s); sub(/"$/, "", s); cur = s; next }
    if ((v = jn("host_free_kb")) != "" && cur == "") { hf = v; next }
    if (cur == "") next
    if ((v = jn("target_kb")) != "") tg[cur] = v
    else if ((v = jn("need_kb")) != "") nd[cur] = v
    else if ((v = jn("oom_kills")) != "") om[cur] = v
    else if ((v = jn("mem_available_kb")) != "") av[cur] = v
}
END { if (ts != "") flush() }' > /tmp/stress.rows

# Audit lines (one JSON object each): decisions, and the loop's timings
# when it records them (report_age_ms, decide_ms, write_ms; reach_ms and
# reaction_ms on "reached" lines).
: > /tmp/stress.times
[ -f $AUDIT ] || : > $AUDIT
awk -v times=/tmp/stress.times '
function jn(k,   s) { if (!match($0, "\"" k "\": *-?[0-9]+")) return ""; s = substr($0, RSTART, RLENGTH); sub(/^[^:]*: */, "", s); return s }
function js(k,   s) { if (!match($0, "\"" k "\": *\"[^\"]*\"")) return ""; s = substr($0, RSTART, RLENGTH); sub(/^[^:]*: *"/, "", s); sub(/"$/, "", s); return s }
{
    a = js("action"); n = js("name"); nd = jn("need_kb"); to = jn("to"); av = jn("mem_available_kb")
    if (a == "grow" || a == "grow-urgent" || a == "shrink") {
        cnt[n " " a]++
        if (nd != "" && to != "") { g = nd - to; if (!(n in wg) || g > wg[n]) { wg[n] = g; wl[n] = "need " int(nd / 1024) " MiB, target set to " int(to / 1024) " MiB" } }
    }
    if (a == "oom-kill") print "OOMEV", n, $0
    if (n != "" && av != "" && (!(n in mav) || av + 0 < mav[n] + 0)) mav[n] = av
    if ((v = jn("report_age_ms")) != "") { print "report_age_ms", v > times; print "report_age_ms/" a, v > times }
    if ((v = jn("decide_ms")) != "") { print "decide_ms", v > times; print "decide_ms/" a, v > times }
    if ((v = jn("write_ms")) != "") { print "write_ms", v > times; print "write_ms/" a, v > times }
    if ((v = jn("reach_ms")) != "") print "reach_ms", v > times
    if ((v = jn("reaction_ms")) != "") print "reaction_ms", v > times
}
END {
    for (n in wg) print "GAP", n, wg[n], wl[n]
    for (n in mav) print "AVAIL", n, mav[n]
    for (k in cnt) print "COUNT", k, cnt[k]
}' $AUDIT > /tmp/stress.audit.sum

# --- checks ----------------------------------------------------------------
for g in $GUESTS; do
    grep -Eiq "$OOM_RE" $(con $g) 2>/dev/null &&
        { diag "$g's console (hog lines and OOM kills):"; tr -d '\r' < $(con $g) | grep -Ei "PVCTL-HOG |invoked oom-killer|$OOM_RE" | tail -n 16 > /tmp/oom.txt; diag_file /tmp/oom.txt 16; }
done
cons=
for g in $GUESTS; do cons="$cons $(con $g)"; done
check "no guest's console shows an OOM kill" sh -c "! grep -Eil '$OOM_RE' $cons"

# The guests' own counters: /proc/vmstat oom_kill as the hogs printed it
# after each episode, and data/pvctl/oom_kills once the agent publishes it.
bad=
for g in $HOGS; do
    n=$(tr -d '\r' < $(con $g) | sed -n 's/.*PVCTL-HOG ep=[0-9]* freed .*oom_kill=\([0-9]*\) .*/\1/p' | sort -n | tail -n 1)
    diag "$g: /proc/vmstat oom_kill ${n:-never reported}"
    [ -z "$n" ] || [ "$n" -eq 0 ] || bad="$bad $g:vmstat=$n"
done
[ -n "$agent_oom" ] && diag "data/pvctl/oom_kills:$agent_oom"
for a in $agent_oom; do
    [ "${a#*:}" -eq 0 ] 2>/dev/null || bad="$bad ${a%%:*}:agent=${a#*:}"
done
check "the guests count no OOM kill (vmstat, agent)" test -z "$bad" || diag "$bad"

# The loop's view: "oom_kills" per domain in every status sample (absent
# in builds that do not count them: then nothing to fail), and no
# "oom-kill" event in the audit log.
awk '$6 != "-" && $6 + 0 > 0' /tmp/stress.rows | sort -k3,3 -k6,6n | awk '{ w[$3] = $0 } END { for (n in w) print w[n] }' > /tmp/oomrows
grep '^OOMEV' /tmp/stress.audit.sum >> /tmp/oomrows
if grep -q '"oom_kills"' $STATLOG; then
    diag "autoscale status carries oom_kills"
else
    diag "autoscale status has no oom_kills field (not counted by this build)"
fi
check "the loop saw no OOM kill (status oom_kills, audit oom-kill events)" test ! -s /tmp/oomrows ||
    diag_file /tmp/oomrows 10

# Floors, from the watcher's XenStore samples: X MS t4 av4 t8 av8 ti1 ti2
awk '$1 == "X" {
    split("hog4 - hog8 - idle1 idle2", nm, " ")
    for (i = 1; i <= 6; i++) if (nm[i] != "-" && $(i + 2) ~ /^[0-9]+$/) {
        n++; if (!(nm[i] in lo) || $(i + 2) + 0 < lo[nm[i]] + 0) lo[nm[i]] = $(i + 2) }
}
END { for (g in lo) print g, lo[g]; if (!n) print "none" }' $SAMPLES > /tmp/floors
diag "lowest target per guest (kB; floor $FLOOR_KB): $(tr '\n' ' ' < /tmp/floors)"
check "no guest's target went below its floor (96 MiB)" sh -c \
    "[ \$(grep -c . /tmp/floors) -eq 4 ] && ! grep -q none /tmp/floors && awk '\$2 < $FLOOR_KB { exit 1 }' /tmp/floors"
diag_file "$LAB_OUT" 5

lowfree=$(awk '$1 == "F" && $3 ~ /^[0-9]+$/ { if (lo == "" || $3 + 0 < lo) lo = $3 + 0 } END { print lo }' $SAMPLES)
lowfree_loop=$(awk '$8 ~ /^[0-9]+$/ { if (lo == "" || $8 + 0 < lo) lo = $8 + 0 } END { print lo }' /tmp/stress.rows)
diag "lowest host free memory: ${lowfree:-?} MiB sampled by pvctl info, $(( ${lowfree_loop:-0} / 1024 )) MiB as the loop saw it; reserve $reserve MiB"
check "host free memory never fell more than 8 MiB below the reserve" test "${lowfree:-0}" -ge $((reserve - 8))

fills=$(cat $(con hog4) $(con hog8) | tr -d '\r' | grep -c "PVCTL-HOG ep=[0-9]* peak_mib=")
check "the hogs ran at their rates (peak within 2x the nominal time + 2 s)" \
    test -z "$fill_fail" -a "$fills" -gt 0 || diag "peaks reached: $fills; too slow:${fill_fail:- none}"

# --- figures -----------------------------------------------------------
for g in $HOGS; do
    i=3; [ $g = hog8 ] && i=5
    xsav=$(awk -v i=$((i + 1)) '$1 == "X" && $i ~ /^[0-9]+$/ { if (lo == "" || $i + 0 < lo) lo = $i + 0 } END { print lo }' $SAMPLES)
    auav=$(awk -v g=$g '$1 == "AVAIL" && $2 == g { print $3 }' /tmp/stress.audit.sum)
    own=$(tr -d '\r' < $(con $g) | sed -n 's/.*PVCTL-HOG ep=[0-9]* freed .*minavail_kb=\([0-9]*\).*/\1/p' | sort -n | head -n 1)
    diag "BENCH $g lowest MemAvailable: ${xsav:-?} kB (XenStore, sampled 1/s), ${auav:-?} kB (audit signals), ${own:-?} kB (guest's /proc/meminfo)"
    fills=$(tr -d '\r' < $(con $g) | sed -n 's/.*PVCTL-HOG ep=[0-9]* peak_mib=[0-9]* shm_kb=[0-9]* fill_cs=\([0-9]*\).*/\1/p' | tr '\n' ' ')
    eval "diag \"BENCH $g fill times (cs, nominal \$((max_$g * 100 / rate_$g))): $fills\""
done
for g in $GUESTS; do
    w=$(awk -v g=$g -v r=$((reserve * 1024)) '$1 == "G" && $3 == g { d = $5 - $4; if (w == "" || d > w) { w = d; at = $2; t = $4; n = $5; h = $8 } }
        END { if (w != "") printf "%d kB (%d MiB: need %d, target %d MiB, at +%d s, host free above the reserve then %s MiB)", w, w / 1024, n / 1024, t / 1024, (at - t0) / 1000, (h ~ /^[0-9]+$/) ? int((h - r) / 1024) : "?" }' t0=$T_START /tmp/stress.rows)
    a=$(awk -v g=$g '$1 == "GAP" && $2 == g { w = $3; $1 = $2 = $3 = ""; sub(/^ */, ""); printf "%d kB (%d MiB: %s)", w, w / 1024, $0 }' /tmp/stress.audit.sum)
    diag "BENCH $g worst gap need - target: status ${w:-none}; audit ${a:-none}"
done
# Per episode, from go to freed + pause: the worst gap and lowest MemAvailable.
printf '%s' "$EP_WIN" | while read -r e a b; do
    awk -v a=$a -v b=$((b + PAUSE * 1000)) -v e=$e '
        $1 == "G" && $2 >= a && $2 <= b && $3 ~ /^hog/ { d = $5 - $4; if (!($3 in w) || d > w[$3]) w[$3] = d
            if ($7 ~ /^[0-9]+$/ && (!($3 in lo) || $7 + 0 < lo[$3])) lo[$3] = $7 + 0 }
        END { s = ""; for (g in w) s = s " " g ": gap " int(w[g] / 1024) " MiB, MemAvailable >= " ((g in lo) ? int(lo[g] / 1024) : "?") " MiB;"
              print "episode " e " (loop status):" s }' /tmp/stress.rows
done > /tmp/stress.eps
diag_file /tmp/stress.eps
bench_dist() {  # KEY: median and worst of the audit log's KEY values
    grep "^$1 " /tmp/stress.times | awk '{ print $2 }' | sort -n > /tmp/stress.dist
    local n
    n=$(grep -c . /tmp/stress.dist)
    if [ "$n" -eq 0 ]; then
        diag "no $1 values in the audit log (not recorded by this build, or no decisions)"
        return 0
    fi
    diag "BENCH autoscale $1: median $(sed -n "$(( (n + 1) / 2 ))p" /tmp/stress.dist) ms, worst $(tail -n 1 /tmp/stress.dist) ms (n=$n)"
}
for k in report_age_ms decide_ms decide_ms/grow-urgent decide_ms/grow write_ms reach_ms reaction_ms; do bench_dist $k; done
diag "audit decisions: $(awk '$1 == "COUNT" { printf "%s %s %s; ", $2, $3, $4 }' /tmp/stress.audit.sum)"
diag "audit log (last lines):"
tail -n 4 $AUDIT > /tmp/audit.tail; diag_file /tmp/audit.tail
diag "autoscale stderr:"; diag_file /tmp/stress-autoscale.log 10
cleanup
exit 0
