# SPDX-License-Identifier: GPL-2.0-or-later
# pvctl-rollback: every failed create leaves nothing behind (no domain, no
# XenStore nodes, no saved config) and says which step failed.
set -u
. /lab/lib.sh

CHECK_TIMEOUT=120

traces() {
    xl list | awk 'NR > 1 { print "dom", $1 }'
    xenstore-list /local/domain | sed 's/^/xs-dom /'
    xenstore-list /vm 2>/dev/null | sed 's/^/xs-vm /'
    ls /var/lib/pvctl/domains 2>/dev/null | sed 's/^/saved /'
}

# failing_create DESC PATTERN CFG [KEY=VALUE...]: create must fail, its
# message must match PATTERN, and nothing may change.
failing_create() {
    local desc=$1 pat=$2 before after; shift 2
    before=$(traces)
    check_fail "$desc: create fails" pvctl create "$@"
    cp "$LAB_OUT" /tmp/create.err
    check "$desc: message says why" grep -Eq -- "$pat" /tmp/create.err
    after=$(traces)
    if [ "$before" = "$after" ]; then
        pass "$desc: nothing left behind"
    else
        fail "$desc: nothing left behind"
        diag "before: $before"
        diag "after:  $after"
    fi
}

guest_cfg rb
failing_create "missing kernel" "/nonexistent/vmlinuz" /tmp/rb.cfg 'kernel="/nonexistent/vmlinuz"'
# A file that exists but is no kernel fails inside the builder, after the
# domain and its XenStore skeleton exist: the real rollback path.
head -c 65536 /dev/urandom > /tmp/garbage.kernel
failing_create "garbage kernel" "building domain" /tmp/rb.cfg 'kernel="/tmp/garbage.kernel"'
failing_create "more memory than the host has" "not enough free memory" /tmp/rb.cfg memory=4000 maxmem=4000
printf 'name = "bad"\nmemory = 256\nmaxmem = 128\nkernel = "/lab/guest/vmlinuz"\n' > /tmp/bad.cfg
failing_create "memory above maxmem" "/tmp/bad.cfg:[0-9]+:[0-9]+: (memory|maxmem)" /tmp/bad.cfg
printf 'name = "hvm1"\ntype = "hvm"\nkernel = "/lab/guest/vmlinuz"\n' > /tmp/hvm.cfg
failing_create "an HVM config" "PV" /tmp/hvm.cfg

# A name in use fails, and leaves the running guest alone.
check "create rb" pvctl create /tmp/rb.cfg
failing_create "name already in use" "already in use" /tmp/rb.cfg
check "rb still runs" pvctl domid rb

# Two creates at once with the same name: the lock lets exactly one win.
guest_cfg race
pvctl create -q /tmp/race.cfg > /tmp/race1.out 2>&1 &
p1=$!
pvctl create -q /tmp/race.cfg > /tmp/race2.out 2>&1 &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
diag "racing creates exited $r1 and $r2"
n=$(xl list | awk '$1 == "race"' | wc -l)
check "two racing creates make exactly one domain" test "$n" = 1
check "exactly one racing create failed" test $((r1 + r2)) -ne 0 -a $((r1 * r2)) -eq 0
pvctl destroy race
pvctl destroy rb
