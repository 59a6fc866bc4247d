#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# check_spdx.sh: every source file says its licence (COPYING) in its first
# line, or its second after a #! line:
#
#   /* SPDX-License-Identifier: GPL-2.0-or-later */    C (*.c, *.h)
#   # SPDX-License-Identifier: GPL-2.0-or-later        shell, make, units
#
# Source files: *.c, *.h, *.sh, Makefile, debian/rules, systemd/*.in,
# bash-completion/*, and any file whose first line is #!. Build trees
# (build*/, also under tests/lab/) and debian/'s package trees are not.
# Works without git, as in a package build.
#
# usage: tests/check_spdx.sh [ROOT]   Prints the files without it; exit 1 if any.

set -u
root=${1:-$(cd "$(dirname "$0")/.." && pwd)}
cd "$root" || exit 2

id='SPDX-License-Identifier: GPL-2.0-or-later'
bad=0
n=0

files=$(find . \( -name .git -o -name 'build*' -o \
	\( -path './debian/*' -type d ! -path ./debian/source \) \) -prune \
	-o -type f -print | sed 's|^\./||' | sort)

for f in $files; do
	first=$(head -n 1 "$f" 2>/dev/null)
	case $f in
	*.c|*.h) want="/* $id */" ;;
	*.sh|Makefile|debian/rules|systemd/*.in|bash-completion/*) want="# $id" ;;
	*)
		case $first in
		'#!'*) want="# $id" ;;
		*) continue ;;
		esac ;;
	esac
	n=$((n + 1))
	case $first in
	'#!'*) line=$(sed -n 2p "$f") ;;
	*) line=$first ;;
	esac
	if [ "$line" != "$want" ]; then
		echo "check_spdx: $f: its first line (second after #!) must be: $want"
		bad=1
	fi
done
[ $n -gt 0 ] || { echo "check_spdx: no source files under $root"; exit 1; }
[ $bad = 0 ] && echo "check_spdx: $n source files, each with its SPDX line"
exit $bad
