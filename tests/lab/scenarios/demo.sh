# SPDX-License-Identifier: GPL-2.0-or-later
# demo: what `make demo` shows: pvctl creates a guest, lists it, and the
# guest's console output.
set -u
. /lab/lib.sh

guest_cfg demo
diag "\$ cat /tmp/demo.cfg"
diag_file /tmp/demo.cfg
diag "\$ pvctl create /tmp/demo.cfg"
timed check "pvctl create demo" pvctl -v create /tmp/demo.cfg
diag_file "$LAB_OUT"
expect_console "the guest boots and prints its marker" demo "PVCTL-GUEST-INFO" 120
diag "\$ pvctl list"
pvctl list > /tmp/list.out 2>&1
diag_file /tmp/list.out
diag "\$ pvctl list --json demo"
pvctl list --json demo > /tmp/list.out 2>&1
diag_file /tmp/list.out
diag "guest console (/var/log/xen/console/guest-demo.log), last lines:"
tr -d '\r' < /var/log/xen/console/guest-demo.log > /tmp/console.out
diag_file /tmp/console.out 12
check "pvctl destroy demo" pvctl destroy demo
