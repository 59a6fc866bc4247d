#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test_table.sh: the command table's invariants, seen from outside a
# built pvctl: help, `help CMD`, `CMD --help`, the completion back end
# and the man page all agree on the commands and their options; the
# config errors and the no-Xen error are what pvctl(1) promises.
#
# usage: tests/cli/test_table.sh [PVCTL]   (default: ./pvctl, then $PVCTL)
# Prints TAP; exits nonzero if any test failed. Needs no Xen: on a Xen
# host the "no hypervisor" test is skipped.

set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
pvctl=${1:-${PVCTL:-$root/pvctl}}
man=$root/man/pvctl.1

n=0
failed=0

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); echo "not ok $n - $1"; failed=$((failed + 1))
	[ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/#   /'
	return 0
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
# check NAME COMMAND...: ok when COMMAND succeeds.
check() {
	name=$1; shift
	if out=$("$@" 2>&1); then ok "$name"; else not_ok "$name" "$out"; fi
}

if [ ! -x "$pvctl" ]; then
	echo "Bail out! no pvctl at $pvctl (run make first)"
	exit 1
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pvctl-cli.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
# Nothing here may touch the real state or lock directories.
export PVCTL_STATE_DIR="$tmp/state" PVCTL_RUN_DIR="$tmp/run" PVCTL_LOG_DIR="$tmp/log"

# --- the command list, three ways ---

# `pvctl help`: the indented lines after "commands:".
"$pvctl" help >"$tmp/help.out" 2>"$tmp/help.err"
rc=$?
if [ $rc -eq 0 ] && [ ! -s "$tmp/help.err" ]; then
	ok "pvctl help exits 0, quietly"
else
	not_ok "pvctl help exits 0, quietly" "rc=$rc $(cat "$tmp/help.err")"
fi
sed -n '/^commands:/,/^$/{/^  [a-z]/s/^  \([^ ]*\).*/\1/p}' "$tmp/help.out" \
	| sort >"$tmp/help.cmds"
if [ -s "$tmp/help.cmds" ]; then
	ok "pvctl help lists $(wc -l <"$tmp/help.cmds") commands"
else
	not_ok "pvctl help lists commands" "$(cat "$tmp/help.out")"
fi
if [ -z "$(uniq -d "$tmp/help.cmds")" ]; then
	ok "no command is listed twice"
else
	not_ok "no command is listed twice" "$(uniq -d "$tmp/help.cmds")"
fi
if grep -qx help "$tmp/help.cmds" && ! grep -q '^__' "$tmp/help.cmds"; then
	ok "help is listed, the __complete plumbing is not"
else
	not_ok "help is listed, the __complete plumbing is not"
fi

"$pvctl" __complete "" 2>&1 | sort >"$tmp/complete.cmds"
if diff -u "$tmp/help.cmds" "$tmp/complete.cmds" >"$tmp/diff"; then
	ok "__complete \"\" offers exactly the commands of help"
else
	not_ok "__complete \"\" offers exactly the commands of help" "$(cat "$tmp/diff")"
fi
"$pvctl" __complete help "" 2>&1 | sort >"$tmp/complete-help.cmds"
if diff -u "$tmp/help.cmds" "$tmp/complete-help.cmds" >"$tmp/diff"; then
	ok "__complete help \"\" offers exactly the commands of help"
else
	not_ok "__complete help \"\" offers exactly the commands of help" "$(cat "$tmp/diff")"
fi
first=$(head -n 1 "$tmp/help.cmds")
prefix=$(printf %s "$first" | cut -c1-2)
"$pvctl" __complete "$prefix" | sort >"$tmp/complete-prefix"
grep "^$prefix" "$tmp/help.cmds" >"$tmp/want-prefix"
if diff -u "$tmp/want-prefix" "$tmp/complete-prefix" >"$tmp/diff"; then
	ok "__complete \"$prefix\" offers only the commands starting with it"
else
	not_ok "__complete \"$prefix\" offers only the commands starting with it" \
		"$(cat "$tmp/diff")"
fi

if [ -f "$man" ]; then
	# One ".SS NAME ..." per command in the COMMANDS section.
	sed -n 's/^\.SS \([a-z][a-z0-9-]*\).*/\1/p' "$man" | sort >"$tmp/man.cmds"
	missing=$(comm -23 "$tmp/help.cmds" "$tmp/man.cmds")
	extra=$(comm -13 "$tmp/help.cmds" "$tmp/man.cmds")
	if [ -z "$missing" ]; then
		ok "man/pvctl.1 documents every command"
	else
		not_ok "man/pvctl.1 documents every command" \
			"missing from the man page: $(echo $missing)"
	fi
	if [ -z "$extra" ]; then
		ok "man/pvctl.1 documents no command pvctl lacks"
	else
		not_ok "man/pvctl.1 documents no command pvctl lacks" \
			"not in pvctl help: $(echo $extra)"
	fi
else
	skip "man/pvctl.1 documents every command" "no man/pvctl.1"
	skip "man/pvctl.1 documents no command pvctl lacks" "no man/pvctl.1"
fi

# --- each command's usage and options ---

# The long options a usage text lists ("  -n, --dry-run  ..."), sorted.
usage_opts() {
	sed -n '/^options:/,$s/^ *\(-[^ ,]*, \)\{0,1\}--\([a-z0-9-]*\).*/--\2/p' "$1" | sort
}

for cmd in $(cat "$tmp/help.cmds"); do
	"$pvctl" help "$cmd" >"$tmp/u.$cmd" 2>"$tmp/u.$cmd.err"
	rc=$?
	if [ $rc -eq 0 ] && head -n 1 "$tmp/u.$cmd" | grep -q "^usage: pvctl $cmd\( \|$\)"; then
		ok "pvctl help $cmd prints its usage"
	else
		not_ok "pvctl help $cmd prints its usage" \
			"rc=$rc $(head -n 2 "$tmp/u.$cmd") $(cat "$tmp/u.$cmd.err")"
	fi
	summary=$(sed -n "s/^  $cmd  *//p" "$tmp/help.out")
	if [ -n "$summary" ] && grep -qxF "$summary" "$tmp/u.$cmd"; then
		ok "pvctl help $cmd repeats the summary help lists"
	else
		not_ok "pvctl help $cmd repeats the summary help lists" "'$summary'"
	fi

	# `pvctl CMD --help` is the same text, and needs no hypervisor.
	"$pvctl" "$cmd" --help >"$tmp/h.$cmd" 2>"$tmp/h.$cmd.err"
	rc=$?
	if [ $rc -eq 0 ] && cmp -s "$tmp/u.$cmd" "$tmp/h.$cmd"; then
		ok "pvctl $cmd --help is pvctl help $cmd"
	else
		not_ok "pvctl $cmd --help is pvctl help $cmd" \
			"rc=$rc $(cat "$tmp/h.$cmd.err")"
	fi

	# Option completion offers exactly the options usage lists, plus --help.
	usage_opts "$tmp/u.$cmd" >"$tmp/o.$cmd"
	{ cat "$tmp/o.$cmd"; echo --help; } | sort >"$tmp/o.$cmd.want"
	"$pvctl" __complete "$cmd" - 2>/dev/null | sort >"$tmp/o.$cmd.got"
	if diff -u "$tmp/o.$cmd.want" "$tmp/o.$cmd.got" >"$tmp/diff"; then
		ok "__complete $cmd - offers the options of its usage"
	else
		not_ok "__complete $cmd - offers the options of its usage" "$(cat "$tmp/diff")"
	fi

	# The man page documents each option under the command's .SS.
	if [ -f "$man" ] && grep -q "^\.SS $cmd\( \|$\)" "$man"; then
		sed -n "/^\.SS $cmd\( \|\$\)/,/^\.S[SH] /p" "$man" | sed '$d' \
			| sed 's/\\-/-/g' >"$tmp/m.$cmd"
		undoc=""
		for o in $(cat "$tmp/o.$cmd"); do
			grep -q -- "$o" "$tmp/m.$cmd" || undoc="$undoc $o"
		done
		if [ -z "$undoc" ]; then
			ok "man/pvctl.1 documents the options of $cmd"
		else
			not_ok "man/pvctl.1 documents the options of $cmd" "undocumented:$undoc"
		fi
	fi
done

out=$("$pvctl" help no-such-command 2>&1)
rc=$?
if [ $rc -eq 2 ] && printf %s "$out" | grep -q "no-such-command"; then
	ok "pvctl help of an unknown command exits 2 naming it"
else
	not_ok "pvctl help of an unknown command exits 2 naming it" "rc=$rc $out"
fi
out=$("$pvctl" no-such-command 2>&1)
rc=$?
if [ $rc -eq 2 ] && printf %s "$out" | grep -q "unknown command 'no-such-command'"; then
	ok "an unknown command exits 2 naming it"
else
	not_ok "an unknown command exits 2 naming it" "rc=$rc $out"
fi

# --- create -n: configs checked without Xen ---

: >"$tmp/vmlinuz"
cat >"$tmp/good.cfg" <<EOF
# a small PV guest
name = "web1"
kernel = "$tmp/vmlinuz"
memory = 300
maxmem = 512
vcpus = 2
EOF

# json_num FILE KEY: the number at top-level "KEY": N in pretty JSON.
json_num() {
	sed -n "s/^    \"$2\": *\([0-9][0-9]*\),\{0,1\}\$/\1/p" "$1"
}

"$pvctl" create -n "$tmp/good.cfg" >"$tmp/good.json" 2>"$tmp/good.err"
rc=$?
if [ $rc -eq 0 ] && [ "$(json_num "$tmp/good.json" memory)" = 300 ] &&
   [ "$(json_num "$tmp/good.json" maxmem)" = 512 ] &&
   [ "$(json_num "$tmp/good.json" vcpus)" = 2 ] &&
   grep -q '"name": "web1"' "$tmp/good.json"; then
	ok "create -n prints the config as JSON with memory 300, maxmem 512"
else
	not_ok "create -n prints the config as JSON with memory 300, maxmem 512" \
		"rc=$rc $(cat "$tmp/good.json" "$tmp/good.err")"
fi
if [ ! -e "$tmp/state/domains" ]; then
	ok "create -n saves nothing"
else
	not_ok "create -n saves nothing" "$(ls -R "$tmp/state")"
fi
if command -v python3 >/dev/null 2>&1; then
	if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(d["memory"] != 300)' \
		"$tmp/good.json" 2>"$tmp/py.err"; then
		ok "create -n output is valid JSON"
	else
		not_ok "create -n output is valid JSON" "$(cat "$tmp/py.err")"
	fi
else
	skip "create -n output is valid JSON" "no python3"
fi

"$pvctl" create -n "$tmp/good.cfg" 'memory=64' >"$tmp/ov.json" 2>&1
rc=$?
if [ $rc -eq 0 ] && [ "$(json_num "$tmp/ov.json" memory)" = 64 ] &&
   [ "$(json_num "$tmp/ov.json" maxmem)" = 512 ]; then
	ok "create -n FILE memory=64 applies the override"
else
	not_ok "create -n FILE memory=64 applies the override" "rc=$rc $(cat "$tmp/ov.json")"
fi

# bad_cfg NAME LINE:COL KEY TEXT: create -n exits 2 with FILE:LINE:COL: KEY.
bad_cfg() {
	printf '%s' "$4" >"$tmp/$1.cfg"
	out=$("$pvctl" create -n "$tmp/$1.cfg" 2>&1 >"$tmp/$1.out")
	rc=$?
	if [ $rc -eq 2 ] && printf %s "$out" | grep -qF "$tmp/$1.cfg:$2: $3" &&
	   [ ! -s "$tmp/$1.out" ]; then
		ok "create -n of a config with $1 exits 2 at $2 ($3)"
	else
		not_ok "create -n of a config with $1 exits 2 at $2 ($3)" "rc=$rc $out"
	fi
}
bad_cfg bad-memory 3:10 memory "name = 'x'
kernel = '$tmp/vmlinuz'
memory = abc
"
bad_cfg unterminated 3:10 kernel "name = 'x'
memory = 128
kernel = '/boot/vmlinuz
"
bad_cfg bad-vcpus 3:9 vcpus "name = 'x'
kernel = '$tmp/vmlinuz'
vcpus = 'many'
"

out=$("$pvctl" create -n "$tmp/does-not-exist.cfg" 2>&1)
rc=$?
if [ $rc -eq 2 ] && printf %s "$out" | grep -q "does-not-exist.cfg"; then
	ok "create -n of a missing file exits 2 naming it"
else
	not_ok "create -n of a missing file exits 2 naming it" "rc=$rc $out"
fi
out=$("$pvctl" create -n 2>&1)
rc=$?
if [ $rc -eq 2 ] && printf %s "$out" | grep -q "^usage: pvctl create"; then
	ok "create without FILE exits 2 with the usage"
else
	not_ok "create without FILE exits 2 with the usage" "rc=$rc $out"
fi
out=$("$pvctl" create --no-such-option "$tmp/good.cfg" 2>&1)
rc=$?
if [ $rc -eq 2 ] && printf %s "$out" | grep -q -- "--no-such-option"; then
	ok "an unknown option exits 2 naming it"
else
	not_ok "an unknown option exits 2 naming it" "rc=$rc $out"
fi

# --- arguments are checked before the hypervisor is opened ---

# usage_err ARGS...: pvctl ARGS exits 2 with its usage, never reaching Xen.
usage_err() {
	out=$("$pvctl" "$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc -eq 2 ] && printf %s "$out" | grep -q "^usage: pvctl $1" &&
	   ! printf %s "$out" | grep -q "hypervisor"; then
		ok "pvctl $* is a usage error (2) before Xen"
	else
		not_ok "pvctl $* is a usage error (2) before Xen" "rc=$rc $out"
	fi
}
usage_err destroy
usage_err destroy a b
usage_err list --bogus
usage_err autoscale bogus
usage_err autoscale
usage_err info foo
usage_err shell foo
usage_err help list extra
usage_err vcpu-pin d 0
usage_err console --timeout
usage_err uptime --bogus

out=$("$pvctl" autoscale status 2>&1)
rc=$?
if [ $rc -eq 1 ] && printf %s "$out" | grep -q "no autoscale status at $tmp/run/autoscale.json"; then
	ok "autoscale status without a status file says so, without Xen"
else
	not_ok "autoscale status without a status file says so, without Xen" "rc=$rc $out"
fi
mkdir -p "$tmp/run"
printf '%s\n' "{\"time\": $(date +%s), \"ticks\": 7, \"host_free_kb\": 1048576," \
	'"host_reserve_kb": 262144, "host_pending_kb": 0, "domains": [{"name": "web1",' \
	'"domid": 3, "policy": "/etc/pvctl/policy.d/10-web.policy", "memory_kb": 524288,' \
	'"target_kb": 524288, "need_kb": 400000, "vcpus": 2, "why": "fine",' \
	'"uncooperative": true, "runaway": false, "new_target_kb": 0, "new_vcpus": 0}]}' \
	>"$tmp/run/autoscale.json"
out=$("$pvctl" autoscale status 2>&1)
rc=$?
if [ $rc -eq 0 ] && printf '%s\n' "$out" | grep -q "^Tick 7 at .*host free 1024 MiB, reserve 256 MiB" &&
   printf '%s\n' "$out" | grep -q "^web1  *3  *512  *390  *512  *2  fine \[uncooperative\]$"; then
	ok "autoscale status prints the status file as a table, without Xen"
else
	not_ok "autoscale status prints the status file as a table, without Xen" "rc=$rc $out"
fi
"$pvctl" autoscale status --json >"$tmp/status.out" 2>&1
if cmp -s "$tmp/run/autoscale.json" "$tmp/status.out"; then
	ok "autoscale status --json prints the file"
else
	not_ok "autoscale status --json prints the file" "$(cat "$tmp/status.out")"
fi

mkdir "$tmp/policy.d"
printf 'interval = 5\n' >"$tmp/policy.d/host.policy"
printf 'match = "web*"\nmemory_min = 128m\n' >"$tmp/policy.d/10-web.policy"
out=$("$pvctl" autoscale check "$tmp/policy.d" 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ "$out" = "$tmp/policy.d: ok: 1 domain policy" ]; then
	ok "autoscale check DIR passes good policies, without Xen"
else
	not_ok "autoscale check DIR passes good policies, without Xen" "rc=$rc $out"
fi
printf 'match = "db"\nmemory_mni = 128m\n' >"$tmp/policy.d/20-db.policy"
out=$("$pvctl" autoscale check "$tmp/policy.d" 2>&1)
rc=$?
if [ $rc -eq 1 ] && [ "$out" = "$tmp/policy.d/20-db.policy:2:1: memory_mni: unknown key (did you mean 'memory_min'?)" ]; then
	ok "autoscale check DIR exits 1 naming file:line:col: key"
else
	not_ok "autoscale check DIR exits 1 naming file:line:col: key" "rc=$rc $out"
fi

# --- the shell ---

printf '%s\n' '# a script' "create -n '$tmp/good.cfg' 'memory=512' \"cmdline=\\\"ro quiet\\\"\"" \
	>"$tmp/shell.in"
"$pvctl" shell <"$tmp/shell.in" >"$tmp/shell.out" 2>"$tmp/shell.err"
rc=$?
if [ $rc -eq 0 ] && [ "$(json_num "$tmp/shell.out" memory)" = 512 ] &&
   grep -q '"cmdline": "ro quiet"' "$tmp/shell.out" && [ ! -s "$tmp/shell.err" ]; then
	ok "shell splits words with quotes: 'memory=512', cmdline=\"ro quiet\""
else
	not_ok "shell splits words with quotes: 'memory=512', cmdline=\"ro quiet\"" \
		"rc=$rc $(cat "$tmp/shell.in" "$tmp/shell.out" "$tmp/shell.err")"
fi
printf '%s\n' 'help list extra' 'create -n /no/such.cfg' 'help info' >"$tmp/shell.in"
"$pvctl" shell <"$tmp/shell.in" >"$tmp/shell.out" 2>"$tmp/shell.err"
rc=$?
if [ $rc -eq 2 ] && grep -q "^usage: pvctl info" "$tmp/shell.out"; then
	ok "shell from a pipe exits with the last failing command's status (2), running all"
else
	not_ok "shell from a pipe exits with the last failing command's status (2), running all" \
		"rc=$rc $(cat "$tmp/shell.out" "$tmp/shell.err")"
fi
printf '%s\n' "help 'list" >"$tmp/shell.in"
out=$("$pvctl" shell <"$tmp/shell.in" 2>&1)
rc=$?
if [ $rc -eq 2 ] && [ "$out" = "pvctl: shell: line 1: no closing '" ]; then
	ok "shell: an unclosed quote is an error naming the line"
else
	not_ok "shell: an unclosed quote is an error naming the line" "rc=$rc $out"
fi
"$pvctl" </dev/null >"$tmp/alone.out" 2>&1
if [ $? -eq 0 ] && cmp -s "$tmp/alone.out" "$tmp/help.out"; then
	ok "pvctl alone, not on a terminal, prints help"
else
	not_ok "pvctl alone, not on a terminal, prints help" "$(cat "$tmp/alone.out")"
fi
if command -v script >/dev/null 2>&1; then
	mkdir "$tmp/home"
	printf 'help info\nexit\n' | HOME="$tmp/home" timeout 20 \
		script -qec "$pvctl" /dev/null >"$tmp/tty.out" 2>&1
	if grep -q "pvctl> " "$tmp/tty.out" && grep -q "usage: pvctl info" "$tmp/tty.out"; then
		ok "pvctl alone on a terminal starts the shell"
	else
		not_ok "pvctl alone on a terminal starts the shell" "$(cat -v "$tmp/tty.out")"
	fi
	if grep -qx "help info" "$tmp/home/.pvctl_history" 2>/dev/null; then
		ok "the shell keeps its history in ~/.pvctl_history"
	else
		not_ok "the shell keeps its history in ~/.pvctl_history" \
			"$(ls -la "$tmp/home")"
	fi
else
	skip "pvctl alone on a terminal starts the shell" "no script(1)"
	skip "the shell keeps its history in ~/.pvctl_history" "no script(1)"
fi

# --- without Xen ---

if [ -e /proc/xen/privcmd ] || [ -e /dev/xen/privcmd ]; then
	skip "list without Xen exits 1 with a clear message" "this is a Xen host"
else
	"$pvctl" list >"$tmp/list.out" 2>"$tmp/list.err"
	rc=$?
	if [ $rc -eq 1 ] && grep -q "^pvctl: cannot open the hypervisor" "$tmp/list.err" &&
	   [ "$(wc -l <"$tmp/list.err")" -eq 1 ] && [ ! -s "$tmp/list.out" ]; then
		ok "list without Xen exits 1 with one clear message"
	else
		not_ok "list without Xen exits 1 with one clear message" \
			"rc=$rc $(cat "$tmp/list.out" "$tmp/list.err")"
	fi
fi

echo "1..$n"
if [ $failed -ne 0 ]; then
	echo "# $failed of $n failed"
	exit 1
fi
exit 0
