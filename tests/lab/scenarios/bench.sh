# SPDX-License-Identifier: GPL-2.0-or-later
# bench: pvctl against xl in the same boot. Prints medians and pvctl/xl
# ratios on lines starting with "BENCH" (`make bench` shows these lines).
# `make check` runs it too, as an end-to-end check of repeated creates and
# hot-plugs: it asserts only that every operation worked, never a speed.
#
#  0. `list` with only Domain-0 running, 5 runs each: mostly the cost of
#     starting the command (loading its libraries) in a PV dom0.
#  1. create/destroy of a bare guest: each create timed from the command's
#     start to the guest printing its first marker line, each destroy until
#     the command returns.
#  2. create of a guest with one disk (a 16 MiB raw file) and one vif (on
#     br0), from the command's start to the guest's first marker line (the
#     guest loads blkfront and netfront before it prints it). xl gets
#     `script=block` on its disk and runs the lab's minimal hotplug scripts
#     (/etc/xen/scripts/block and vif-bridge, from tests/lab/dom0/scripts);
#     pvctl runs none.
#  3. on the last guest of 2 (each tool on its own guest, alone): block-attach
#     of a second disk (xvdb, 51728) timed from the command's start until
#     both the backend's and the frontend's state nodes read 4 (Connected),
#     and block-detach until the backend's node is gone (xl returns from an
#     attach before the frontend connects; pvctl waits for it). Then one
#     more attach with xenstored's trace on (xenstore-control logfile / log
#     off): the XenStore requests from the attach's start until both ends
#     are Connected, split into the toolstack's own (connections opened
#     meanwhile: the command, and for xl its hotplug script's xenstore-*
#     calls) and the kernels' (blkback, blkfront: connections that existed
#     before). The harness's own state polls are left out.
set -u
. /lab/lib.sh

N=${BENCH_N:-3}
CHECK_TIMEOUT=120

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ratio() { awk -v p="$1" -v x="$2" 'BEGIN { printf "%.2f", x ? p / x : 0 }'; }

# report WHAT FILEBASE: the runs and medians of xl and pvctl, and the ratio.
report() {
    local x p
    [ -s "$2.xl" ] && [ -s "$2.pvctl" ] || return 0
    x=$(median < "$2.xl")
    p=$(median < "$2.pvctl")
    diag "BENCH $1: xl $(tr '\n' ' ' < "$2.xl")ms; pvctl $(tr '\n' ' ' < "$2.pvctl")ms"
    diag "BENCH $1 median: xl $x ms, pvctl $p ms, ratio pvctl/xl $(ratio "$p" "$x")"
}

# ---- 0. a command that does little ------------------------------------------

rm -f /tmp/bench.*
for tool in xl pvctl xl pvctl xl pvctl xl pvctl xl pvctl; do
    t0=$(now_ms)
    $tool list > /dev/null 2>&1 || fail "$tool list"
    echo $(( $(now_ms) - t0 )) >> "/tmp/bench.list.$tool"
done
report "list (Domain-0 alone)" /tmp/bench.list

# ---- 1. a bare guest ---------------------------------------------------------

# run_one TOOL NAME: create NAME with TOOL, wait for its marker, destroy it.
# Appends the times to /tmp/bench.TOOL.create and .destroy.
run_one() {
    local tool=$1 name=$2 t0 t1
    guest_cfg "$name"
    t0=$(now_ms)
    if ! $tool create -q "/tmp/$name.cfg" > /tmp/bench.out 2>&1; then
        fail "$tool create $name"
        diag_file /tmp/bench.out
        return 1
    fi
    if ! wait_for_console "$name" "PVCTL-GUEST-UP $name" 120; then
        fail "$tool: $name printed its marker"
        return 1
    fi
    t1=$(now_ms)
    echo $((t1 - t0)) >> "/tmp/bench.$tool.create"
    t0=$(now_ms)
    $tool destroy "$name" || { fail "$tool destroy $name"; return 1; }
    echo $(( $(now_ms) - t0 )) >> "/tmp/bench.$tool.destroy"
}

# pvctl's first create fills its kernel cache: time it on its own.
run_one pvctl bwarm && diag "BENCH pvctl first create (cold kernel cache) $(tail -1 /tmp/bench.pvctl.create) ms"
rm -f /tmp/bench.pvctl.*
i=1
while [ $i -le "$N" ]; do
    run_one xl "bx$i"
    run_one pvctl "bp$i"
    i=$((i + 1))
done
for what in create destroy; do
    x=$(median < "/tmp/bench.xl.$what")
    p=$(median < "/tmp/bench.pvctl.$what")
    diag "BENCH $what: xl $(tr '\n' ' ' < /tmp/bench.xl.$what)ms; pvctl $(tr '\n' ' ' < /tmp/bench.pvctl.$what)ms"
    diag "BENCH $what median: xl $x ms, pvctl $p ms, ratio pvctl/xl $(ratio "$p" "$x")"
done
check "all $N rounds of creates and destroys worked" test "$(wc -l < /tmp/bench.pvctl.create)" = "$N" -a "$(wc -l < /tmp/bench.xl.create)" = "$N"

# ---- 2. a guest with a disk and a vif; 3. block-attach/-detach ----------------

used_loops() { cat /sys/block/loop*/loop/backing_file 2>/dev/null | wc -l; }
ports() { ls /sys/class/net/br0/brif 2>/dev/null | wc -l; }
loops0=$(used_loops)
ports0=$(ports)
for t in xl pvctl; do
    dd if=/dev/zero of=/tmp/bd-$t.img bs=1M count=16 2>/dev/null
    dd if=/dev/zero of=/tmp/bx-$t.img bs=1M count=16 2>/dev/null
done
# What each tool is given: xl needs script=block to take a plain file.
script_xl=script=block,
script_pvctl=

# wait_states BE FE MS: until both state nodes read 4, up to MS ms.
wait_states() {
    local end s
    end=$(( $(now_ms) + $3 ))
    while :; do
        s=$(xenstore-read "$1" "$2" 2>/dev/null | tr '\n' ' ')
        [ "$s" = "4 4 " ] && return 0
        [ "$(now_ms)" -ge "$end" ] && { diag "states of $1, $2: $s"; return 1; }
        sleep 0.05
    done
}

# wait_gone NODE MS: until NODE no longer exists, up to MS ms.
wait_gone() {
    local end
    end=$(( $(now_ms) + $2 ))
    while xenstore-exists "$1" 2>/dev/null; do
        [ "$(now_ms)" -ge "$end" ] && return 1
        sleep 0.05
    done
}

# bounded CMD...: CMD under timeout, output to /tmp/bench.out.
bounded() { timeout -k 5 60 "$@" > /tmp/bench.out 2>&1 < /dev/null; }

# dev_create TOOL NAME: create NAME with a disk and a vif, time it to the
# marker. Leaves the guest running.
dev_create() {
    local tool=$1 name=$2 t0 s
    eval s=\$script_$tool
    guest_cfg "$name" "disk = [ 'vdev=xvda,access=rw,${s}target=/tmp/bd-$tool.img' ]" \
        "vif = [ 'bridge=br0' ]"
    t0=$(now_ms)
    if ! bounded $tool create -q "/tmp/$name.cfg"; then
        fail "$tool create $name with a disk and a vif"
        diag_file /tmp/bench.out
        return 1
    fi
    if ! wait_for_console "$name" "PVCTL-GUEST-UP $name" 120; then
        fail "$tool: $name (disk, vif) printed its marker"
        return 1
    fi
    echo $(( $(now_ms) - t0 )) >> "/tmp/bench.devcreate.$tool"
}

# count_trace FILE BE_STATE FE_STATE: the requests in a xenstored trace
# (4.17's format: "IN CONN DATE TIME TYPE (ARGS)", "CREATE connection
# CONN"), as "TOOL KERNEL BG POLL CONNS TYPE=N...":
#   TOOL    on connections opened during the trace, minus the polls: the
#           command's, and for xl its hotplug script's xenstore-* calls
#   KERNEL  on older connections that use paths relative to their home
#           (backend/..., device/...): blkback in dom0, blkfront in the guest
#   BG      on other older connections (daemons, e.g. pvctl's monitor,
#           which rescans every 10 s)
#   POLL    on connections that only read the two state nodes (the
#           harness's polls; left out of everything else)
#   CONNS   the number of TOOL connections; then TOOL by request type.
# CONTROL requests (xenstore-control's) are left out.
count_trace() {
    awk -v be="$2" -v fe="$3" '
    # A connection freed and another made can share an address: key them
    # by address and generation.
    $1 == "CREATE" && $2 == "connection" { gen[$3]++; new[$3 "#" gen[$3]] = 1; next }
    $1 != "IN" || $5 == "CONTROL" { next }
    {
        c = $2 "#" gen[$2]; n[c]++; typ[c] = typ[c] " " $5
        a = substr($0, index($0, "(") + 1); sub(/ *\)$/, "", a)
        # The kernels name their own nodes relative to their home.
        if (a ~ /^(backend|device)\//) kpath[c] = 1
        if (!($5 == "READ" && (a == be || a == fe)) &&
            $5 != "TRANSACTION_START" && $5 != "TRANSACTION_END")
            real[c] = 1
    }
    END {
        for (c in n) {
            if (!(c in real)) { poll += n[c]; continue }
            if (!(c in new)) {
                if (c in kpath) kern += n[c]; else bg += n[c]
                continue
            }
            tool += n[c]; conns++
            k = split(typ[c], w, " ")
            for (i = 1; i <= k; i++) byt[w[i]]++
        }
        s = ""
        k = split("READ DIRECTORY WRITE MKDIR RM SET_PERMS GET_PERMS WATCH UNWATCH " \
                  "TRANSACTION_START TRANSACTION_END GET_DOMAIN_PATH", order, " ")
        for (i = 1; i <= k; i++)
            if (order[i] in byt) { s = s " " order[i] "=" byt[order[i]]; delete byt[order[i]] }
        for (t in byt) s = s " " t "=" byt[t]
        printf "%d %d %d %d %d%s\n", tool, kern, bg, poll, conns, s
    }' "$1"
}

# attach_bench TOOL NAME: N timed block-attach/-detach rounds of xvdb on
# NAME, then one traced attach and its detach.
attach_bench() {
    local tool=$1 name=$2 id be fe s t0 t1 j r
    eval s=\$script_$tool
    id=$($tool domid "$name") || { fail "$tool domid $name"; return 1; }
    be=/local/domain/0/backend/vbd/$id/51728
    fe=/local/domain/$id/device/vbd/51728
    spec="vdev=xvdb,access=rw,${s}target=/tmp/bx-$tool.img"
    j=1
    while [ $j -le "$N" ]; do
        t0=$(now_ms)
        bounded $tool block-attach "$name" "$spec" ||
            { fail "$tool block-attach $name xvdb"; diag_file /tmp/bench.out; return 1; }
        t1=$(now_ms)
        wait_states "$be/state" "$fe/state" 30000 ||
            { fail "$tool: xvdb of $name connects"; return 1; }
        echo $(( $(now_ms) - t0 )) >> "/tmp/bench.attach.$tool"
        echo $(( t1 - t0 )) >> "/tmp/bench.attachret.$tool"
        t0=$(now_ms)
        bounded $tool block-detach "$name" xvdb ||
            { fail "$tool block-detach $name xvdb"; diag_file /tmp/bench.out; return 1; }
        t1=$(now_ms)
        wait_gone "$be" 30000 || { fail "$tool: backend of xvdb of $name removed"; return 1; }
        echo $(( $(now_ms) - t0 )) >> "/tmp/bench.detach.$tool"
        echo $(( t1 - t0 )) >> "/tmp/bench.detachret.$tool"
        j=$((j + 1))
    done
    # One traced attach: from its start until both ends are Connected.
    rm -f "/tmp/xs.$tool.trace"
    xenstore-control logfile "/tmp/xs.$tool.trace" > /dev/null ||
        { fail "xenstore-control logfile"; return 1; }
    r=0
    bounded $tool block-attach "$name" "$spec" || r=1
    [ $r = 0 ] && { wait_states "$be/state" "$fe/state" 30000 || r=2; }
    xenstore-control log off > /dev/null
    if [ $r != 0 ]; then
        fail "$tool: traced block-attach of xvdb to $name"
        diag_file /tmp/bench.out
        return 1
    fi
    count_trace "/tmp/xs.$tool.trace" "$be/state" "$fe/state" > "/tmp/bench.ops.$tool"
    check "$tool block-detach after the traced attach" $tool block-detach "$name" xvdb || return 1
    if wait_gone "$be" 30000; then
        pass "$tool: backend of xvdb of $name removed"
    else
        fail "$tool: backend of xvdb of $name removed"
    fi
}

i=1
while [ $i -le "$N" ]; do
    for t in xl pvctl; do
        name=bd${t%${t#?}}$i
        dev_create $t "$name" || continue
        if [ $i = "$N" ]; then
            attach_bench $t "$name"
        fi
        check "$t destroy $name (disk, vif)" $t destroy "$name"
    done
    i=$((i + 1))
done
check "all $N creates with a disk and a vif worked" test "$(wc -l < /tmp/bench.devcreate.pvctl)" = "$N" -a "$(wc -l < /tmp/bench.devcreate.xl)" = "$N"
report "create with disk+vif (to marker)" /tmp/bench.devcreate
check "all $N block-attach/-detach rounds worked" test "$(wc -l < /tmp/bench.detach.pvctl)" = "$N" -a "$(wc -l < /tmp/bench.detach.xl)" = "$N"
diag "BENCH block-attach is timed from the command's start until the backend's and the frontend's state read 4 (Connected); block-detach until the backend's node is gone; 'returned' is until the command returns"
report "block-attach xvdb (to both Connected)" /tmp/bench.attach
report "block-attach xvdb (command returned)" /tmp/bench.attachret
report "block-detach xvdb (to backend gone)" /tmp/bench.detach
report "block-detach xvdb (command returned)" /tmp/bench.detachret
if [ -s /tmp/bench.ops.xl ] && [ -s /tmp/bench.ops.pvctl ]; then
    read -r xt xk xb xp xc xtypes < /tmp/bench.ops.xl
    read -r pt pk pb pp pc ptypes < /tmp/bench.ops.pvctl
    diag "BENCH XenStore requests per block-attach, from its start until both ends are Connected (xenstored trace; the harness's state polls left out). pvctl's include its own wait for both ends (a watch on each state node, both read at every event); xl returns before the frontend connects"
    diag "BENCH xenstore ops per attach: xl $xt (on $xc connections: xl and its hotplug script's xenstore-* calls), pvctl $pt (on $pc), ratio pvctl/xl $(ratio "$pt" "$xt")"
    diag "BENCH xenstore ops per attach by type: xl:$xtypes; pvctl:$ptypes"
    diag "BENCH xenstore ops per attach by the kernels (blkback, blkfront): with xl $xk, with pvctl $pk; by older daemons meanwhile: $xb, $pb"
    pass "XenStore requests counted for both attaches"
else
    fail "XenStore requests counted for both attaches"
fi
check "no loop device left in use" test "$(used_loops)" = "$loops0"
check "no bridge port left" test "$(ports)" = "$ports0"
