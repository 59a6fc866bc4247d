# bench: pvctl against xl in the same boot. Each create is timed from the
# command's start to the guest printing its first marker line; each
# destroy until the command returns. Prints medians and pvctl/xl ratios
# (`make bench` shows these lines). `make check` runs it too, as an
# end-to-end check of repeated creates: it asserts only that every create
# and destroy worked, never a speed.
set -u
. /lab/lib.sh

N=${BENCH_N:-3}
CHECK_TIMEOUT=120

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# run_one TOOL NAME: create NAME with TOOL, wait for its marker, destroy it.
# Appends the times to /tmp/bench.TOOL.create and .destroy.
run_one() {
    local tool=$1 name=$2 t0 t1
    guest_cfg "$name"
    t0=$(now_ms)
    if ! $tool create -q "/tmp/$name.cfg" > /tmp/bench.out 2>&1; then
        fail "$tool create $name" && diag_file /tmp/bench.out
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

rm -f /tmp/bench.*
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
    diag "BENCH $what median: xl $x ms, pvctl $p ms, ratio pvctl/xl $(awk -v p="$p" -v x="$x" 'BEGIN { printf "%.2f", x ? p / x : 0 }')"
done
check "all $N rounds of creates and destroys worked" test "$(wc -l < /tmp/bench.pvctl.create)" = "$N" -a "$(wc -l < /tmp/bench.xl.create)" = "$N"
