#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-or-later
# test_completion.sh: bash completion as users get it: the script
# sourced into bash, its function called with COMP_WORDS set as bash
# sets them, its COMPREPLY checked. Needs no Xen.
#
# usage: tests/cli/test_completion.sh [PVCTL]   (default: ./pvctl)
# Prints TAP; exits nonzero if any test failed.

set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
pvctl=${1:-$root/pvctl}

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); echo "not ok $n - $1"; failed=$((failed + 1))
	[ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/#   /'
	return 0
}

if [ ! -x "$pvctl" ]; then
	echo "Bail out! no pvctl at $pvctl (run make first)"
	exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pvctl-comp.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
export PVCTL_STATE_DIR="$tmp/state" PVCTL_RUN_DIR="$tmp/run" PVCTL_LOG_DIR="$tmp/log"

# The completion calls `pvctl`: this one.
mkdir "$tmp/bin"
ln -s "$(cd "$(dirname "$pvctl")" && pwd)/$(basename "$pvctl")" "$tmp/bin/pvctl"
PATH=$tmp/bin:$PATH
# shellcheck source=../../bash-completion/pvctl
. "$root/bash-completion/pvctl"

# complete WORD...: the candidates bash would offer for the command line
# "pvctl WORD..." with the cursor at the end of the last word, sorted.
complete_line() {
	COMP_WORDS=(pvctl "$@")
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMP_LINE="${COMP_WORDS[*]}"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_pvctl
	printf '%s\n' "${COMPREPLY[@]}" | sed '/^$/d' | sort
}

# expect NAME WANT WORD...: the candidates are exactly WANT (words).
expect() {
	name=$1 want=$(printf '%s\n' $2 | sort); shift 2
	got=$(complete_line "$@")
	if [ "$got" = "$want" ]; then
		ok "$name"
	else
		not_ok "$name" "got: $(echo $got); want: $(echo $want)"
	fi
}

if complete -p pvctl 2>/dev/null | grep -q -- '-F _pvctl'; then
	ok "sourcing the script registers _pvctl for pvctl"
else
	not_ok "sourcing the script registers _pvctl for pvctl" "$(complete -p pvctl 2>&1)"
fi

commands=$("$pvctl" help | sed -n '/^commands:/,/^$/{/^  [a-z]/s/^  \([^ ]*\).*/\1/p}')
expect "the first word: every command" "$commands" ""
expect "a prefix: the commands it starts" "list" li
expect "a leading -v is skipped" "list" -v li
expect "pvctl's own options" "--help --verbose" -
expect "after autoscale: run plan status check" "run plan status check" autoscale ""
expect "after -v autoscale c: check" "check" -v autoscale c
expect "after autoscale -p DIR: the actions" "run plan status check" autoscale -p /etc ""
expect "console -t: xl's console types" "pv serial" console -t ""
expect "vcpu-pin DOMAIN: the vCPU word" "all" vcpu-pin web ""
expect "a command's options" "--json --long --config --verbose --help" list -
expect "help: the commands" "$commands" help ""

mkdir "$tmp/files" "$tmp/files/policy.d"
: >"$tmp/files/web.cfg"
cd "$tmp/files" || exit 1
expect "after --policy: files and directories" "policy.d web.cfg" autoscale --policy ""
expect "after -p: files and directories" "policy.d" autoscale -p po
expect "after --policy= (split by bash): files" "policy.d web.cfg" autoscale --policy =
expect "after --policy=p (split by bash): files" "policy.d" autoscale --policy = p
expect "create FILE: files" "web.cfg" create -n w
cd - >/dev/null || exit 1

echo "1..$n"
if [ $failed -ne 0 ]; then
	echo "# $failed of $n failed"
	exit 1
fi
exit 0
