#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test_install.sh: `make install` puts exactly the files pvctl ships where
# the FHS and Debian want them, with their modes; PREFIX moves them and the
# paths the units name; the installed pvctl says the version; the units
# pass `systemd-analyze verify`; debian/changelog and VERSION agree.
#
# usage: tests/install/test_install.sh [BUILDDIR]   (default: build)
# Prints TAP; exits nonzero if any test failed. Needs a built tree (make).

set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
B=${1:-build}

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); echo "not ok $n - $1"; failed=$((failed + 1))
	[ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/#   /'
	return 0
}
# same NAME WANT GOT: ok when the two files are the same.
same() {
	if diff -u "$2" "$3" >"$tmp/diff"; then ok "$1"; else not_ok "$1" "$(cat "$tmp/diff")"; fi
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pvctl-install.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# install [VAR=VALUE...]: make install from the tree, quietly.
install_tree() {
	make -s -C "$root" B="$B" install "$@" >"$tmp/make.out" 2>&1
}

# --- make install DESTDIR=D: every file, nothing else ---

d=$tmp/root
if install_tree DESTDIR="$d"; then
	ok "make install DESTDIR=... succeeds"
else
	not_ok "make install DESTDIR=... succeeds" "$(cat "$tmp/make.out")"
fi

# What pvctl ships, with its mode: the package split in debian/*.install
# and this list must change together.
cat >"$tmp/want" <<'EOF'
644 etc/default/pvctl-domains
644 lib/systemd/system/pvctl-agent.service
644 lib/systemd/system/pvctl-autoscale.service
644 lib/systemd/system/pvctl-domains.service
644 lib/systemd/system/pvctl-monitor.service
755 usr/libexec/pvctl/pvctl-domains
755 usr/sbin/pvctl
755 usr/sbin/pvctl-agent
644 usr/share/bash-completion/completions/pvctl
644 usr/share/doc/pvctl/examples/policy.d/10-web.policy
644 usr/share/doc/pvctl/examples/policy.d/99-default.policy
644 usr/share/doc/pvctl/examples/policy.d/host.policy
644 usr/share/man/man1/pvctl.1
644 usr/share/man/man5/pvctl-policy.5
644 usr/share/man/man5/pvctl-xl.cfg.5
644 usr/share/man/man8/pvctl-agent.8
EOF
(cd "$d" && find . -type f -printf '%m %P\n' 2>/dev/null | sort -k2) >"$tmp/got"
same "every file installed, with its mode, and no other" "$tmp/want" "$tmp/got"

for dir in etc/pvctl/auto etc/pvctl/policy.d; do
	if [ -d "$d/$dir" ]; then ok "/$dir is made"; else not_ok "/$dir is made"; fi
done

# The examples are the tree's, so pvctl-policy(5)'s examples stay true.
if diff -r "$root/config/examples/policy.d" "$d/usr/share/doc/pvctl/examples/policy.d" >"$tmp/diff"; then
	ok "the example policies are config/examples/policy.d"
else
	not_ok "the example policies are config/examples/policy.d" "$(cat "$tmp/diff")"
fi

# The .install files of debian/ take every installed file, once.
(cd "$root/debian" && cat pvctl.install pvctl-agent.install) | sort >"$tmp/deb.entries"
: >"$tmp/deb.files"
while read -r entry; do
	if [ -d "$d/$entry" ]; then
		(cd "$d" && find "$entry" -type f) >>"$tmp/deb.files"
	elif [ -e "$d/$entry" ]; then
		echo "$entry" >>"$tmp/deb.files"
	else
		echo "MISSING $entry" >>"$tmp/deb.files"
	fi
done <"$tmp/deb.entries"
sort "$tmp/deb.files" >"$tmp/deb.got"
cut -d' ' -f2 "$tmp/want" >"$tmp/deb.want"
same "debian/*.install take every installed file, once" "$tmp/deb.want" "$tmp/deb.got"

# --- the version ---

version=$(cat "$root/VERSION")
out=$("$d/usr/sbin/pvctl" --version 2>&1)
case $out in
"pvctl $version"|"pvctl $version+g"*|"pvctl $version-"*)
	ok "pvctl --version says the VERSION file's version ($out)" ;;
*)
	not_ok "pvctl --version says the VERSION file's version" "VERSION $version, printed: $out" ;;
esac
if "$d/usr/sbin/pvctl" --version | grep -q '^pvctl [0-9]' && [ -z "$("$d/usr/sbin/pvctl" --version 2>&1 >/dev/null)" ]; then
	ok "pvctl --version prints to stdout only, exit 0"
else
	not_ok "pvctl --version prints to stdout only, exit 0"
fi
deb=$(sed -n '1s/^pvctl (\([^)]*\)).*/\1/p' "$root/debian/changelog")
if [ "$deb" = "$version" ]; then
	ok "debian/changelog's version is VERSION's ($version)"
else
	not_ok "debian/changelog's version is VERSION's" "changelog $deb, VERSION $version"
fi

# --- the units name the installed paths ---

u=$d/lib/systemd/system
if grep -n '@[A-Z]*@' "$u"/*.service >"$tmp/left"; then
	not_ok "no @VAR@ is left in the units" "$(cat "$tmp/left")"
else
	ok "no @VAR@ is left in the units"
fi
if grep -q '^ExecStart=/usr/sbin/pvctl monitor' "$u/pvctl-monitor.service" &&
   grep -q '^ExecStart=/usr/libexec/pvctl/pvctl-domains start' "$u/pvctl-domains.service" &&
   grep -q '^ExecStart=/usr/sbin/pvctl-agent' "$u/pvctl-agent.service" &&
   grep -q -- '--policy /etc/pvctl/policy.d' "$u/pvctl-autoscale.service"; then
	ok "the units run /usr/sbin/pvctl, /usr/sbin/pvctl-agent, /usr/libexec/pvctl/pvctl-domains"
else
	not_ok "the units run /usr/sbin/pvctl, /usr/sbin/pvctl-agent, /usr/libexec/pvctl/pvctl-domains" \
		"$(grep -h '^Exec' "$u"/*.service)"
fi
# Debian has no xenstored.service (its /etc/init.d/xen is xen.service):
# a unit must not need one to start.
if grep -n '^\(Requires\|Requisite\|BindsTo\)=.*xen' "$u"/*.service >"$tmp/req"; then
	not_ok "no unit requires a Xen unit Debian may not have" "$(cat "$tmp/req")"
else
	ok "no unit requires a Xen unit Debian may not have"
fi

d2=$tmp/local
if install_tree DESTDIR="$d2" PREFIX=/usr/local &&
   [ -x "$d2/usr/local/sbin/pvctl" ] && [ -f "$d2/usr/local/share/man/man1/pvctl.1" ] &&
   grep -q '^ExecStart=/usr/local/sbin/pvctl monitor' "$d2/lib/systemd/system/pvctl-monitor.service" &&
   [ ! -e "$d2/usr/sbin" ]; then
	ok "PREFIX=/usr/local moves the files and the paths in the units"
else
	not_ok "PREFIX=/usr/local moves the files and the paths in the units" \
		"$(cat "$tmp/make.out"; cd "$d2" && find . -type f)"
fi

# --- systemd-analyze verify ---
# Installed with real paths (no DESTDIR), so that verify finds the
# programs the units run and the man pages they name (MANPATH).

if ! command -v systemd-analyze >/dev/null 2>&1; then
	not_ok "systemd-analyze verify the units" "no systemd-analyze: apt-get install systemd (make deps does)"
else
	v=$tmp/v
	install_tree PREFIX="$v/usr" SYSCONFDIR="$v/etc" UNITDIR="$v/lib/systemd/system"
	export MANPATH="$v/usr/share/man"
	if out=$(cd "$v/lib/systemd/system" && systemd-analyze verify ./*.service 2>&1) && [ -z "$out" ]; then
		ok "systemd-analyze verify: the four units are clean"
	else
		not_ok "systemd-analyze verify: the four units are clean" "$out"
	fi
	# And it does find faults: the old unit's, a program not installed.
	sed 's|^ExecStart=.*|ExecStart=/usr/sbin/pvctl-not-installed monitor|' \
		"$v/lib/systemd/system/pvctl-monitor.service" >"$tmp/broken.service"
	if ! systemd-analyze verify "$tmp/broken.service" >/dev/null 2>&1; then
		ok "systemd-analyze verify fails on a unit whose program is missing"
	else
		not_ok "systemd-analyze verify fails on a unit whose program is missing"
	fi
fi

echo "1..$n"
[ $failed = 0 ] && echo "test_install: $n passed, 0 failed" ||
	echo "test_install: $((n - failed)) passed, $failed failed"
[ $failed = 0 ]
