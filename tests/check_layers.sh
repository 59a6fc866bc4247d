#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# check_layers.sh: the tree's one order of dependencies, lowest first:
#
#   util/          buffers, errors, the JSON writer, uuid, running programs
#   config/        the parsers and their types
#   lib/*.[ch]     the library's core: context, hypervisor, XenStore, room
#   lib/devices/   device kinds
#   lib/domain/    domains (create uses devices)
#   lib/balloon/   the autoscale loop (uses domains)
#   cli/           the pvctl command
#
# A file may include only headers of its own layer or a lower one. cli/
# reaches the hypervisor through lib's API alone: no cli/ file includes
# lib/xs.h or lib/hv.h, or calls the hypervisor's operations (ops->).
# agent/ runs in guests: it includes only its own headers and proto/.
# proto/ holds protocol facts (header-only) shared by the agent and lib.
#
# usage: tests/check_layers.sh [ROOT]   Prints the violations; exit 1 if any.

set -u
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2

rank() {
	case $1 in
	proto/*) echo 0 ;;
	util/*) echo 1 ;;
	config/*) echo 2 ;;
	lib/devices/*) echo 4 ;;
	lib/domain/*) echo 5 ;;
	lib/balloon/*) echo 6 ;;
	lib/*/*) echo 9 ;;		# a new lib module: give it a rank here
	lib/*) echo 3 ;;
	cli/*) echo 7 ;;
	agent/*) echo 8 ;;
	*) echo 99 ;;
	esac
}

bad=0
fail() { echo "check_layers: $*"; bad=1; }

for f in $(ls proto/*.h util/*.[ch] config/*.[ch] lib/*.[ch] lib/*/*.[ch] \
	   cli/*.[ch] agent/*.[ch] 2>/dev/null); do
	dir=$(dirname "$f")
	me=$(rank "$f")
	[ "$me" = 9 ] && fail "$f: lib/$(basename "$dir")/ has no place in the order (tests/check_layers.sh)"
	grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f" |
	while IFS= read -r line; do
		num=${line%%:*}
		inc=$(printf '%s\n' "$line" | sed 's/.*include[[:space:]]*"\([^"]*\)".*/\1/')
		target=$(realpath -m --relative-to=. "$dir/$inc")
		[ -e "$target" ] || target=$(realpath -m --relative-to=. "$inc")
		them=$(rank "$target")
		case $me in
		8) case $target in agent/*|proto/*) ;; *)
			echo "check_layers: $f:$num: the agent includes $target (only agent/ and proto/)" ;; esac
		   continue ;;
		esac
		if [ "$them" -gt "$me" ]; then
			echo "check_layers: $f:$num: includes $target, a higher layer"
		fi
		case $f:$target in
		cli/*:lib/xs.h|cli/*:lib/hv.h|cli/*:lib/hv_*)
			echo "check_layers: $f:$num: cli/ reaches XenStore or the hypervisor ($target): use lib's API" ;;
		esac
	done
done > /tmp/check_layers.$$

if grep -n 'ops->' cli/*.[ch] >> /tmp/check_layers.$$; then :; fi
sed -i 's/^\(cli\/[^:]*:[0-9]*\):.*ops->.*/check_layers: \1: cli\/ calls the hypervisor (ops->): use lib'"'"'s API/' /tmp/check_layers.$$
if [ -s /tmp/check_layers.$$ ]; then
	cat /tmp/check_layers.$$
	bad=1
fi
rm -f /tmp/check_layers.$$
[ $bad = 0 ] && echo "check_layers: util -> config -> lib -> cli: no upward include, cli/ through lib's API only"
exit $bad
