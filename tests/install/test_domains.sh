#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# test_domains.sh: what systemd/pvctl-domains (pvctl-domains.service) asks
# of pvctl at host shutdown and boot, against a fake pvctl that records
# each call and answers as pvctl does (its JSON as pvctl(1) and
# tests/unit/test_output.c show it). The lab runs the real thing.
#
# usage: tests/install/test_domains.sh   Prints TAP; exits nonzero if any failed.

set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
script=$root/systemd/pvctl-domains

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1)); echo "not ok $n - $1"; failed=$((failed + 1))
	[ $# -gt 1 ] && printf '%s\n' "$2" | sed 's/^/#   /'
	return 0
}
# same NAME WANT-TEXT FILE
same() {
	printf '%s\n' "$2" >"$tmp/want"
	if diff -u "$tmp/want" "$3" >"$tmp/diff"; then ok "$1"; else not_ok "$1" "$(cat "$tmp/diff")"; fi
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/pvctl-domains.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# The fake pvctl. Domains live in $FAKE/doms as "DOMID NAME CREATED_BY"
# lines (pvctl or xl); calls are logged to $FAKE/log. $FAKE/fail lists
# "COMMAND ARG" pairs that fail.
cat >"$tmp/pvctl" <<'EOF'
#!/bin/sh
# One call at a time: pvctl-domains runs shutdowns in parallel.
exec 9>"$FAKE/lock"
flock 9
echo "$*" >>"$FAKE/log"
fails() { grep -qx "$1 $2" "$FAKE/fail" 2>/dev/null; }
case $1 in
list)
	# pvctl list --json --long
	echo "["
	sep=
	while read -r id name by; do
		[ -n "$sep" ] && echo "    },"
		sep=1
		echo "    {"
		echo "        \"name\": \"$name\","
		echo "        \"domid\": $id,"
		echo "        \"state\": \"-b----\","
		if [ "$by" = pvctl ]; then
			echo "        \"config\": {"
			echo "            \"name\": \"$name\","
			echo "            \"cmdline\": \"console=hvc0 {\","
			echo "            \"disk\": ["
			echo ""
			echo "            ],"
			echo "            \"source\": \"/etc/pvctl/auto/$name.cfg\""
			echo "        }"
		else
			echo "        \"config\": null"
		fi
	done <"$FAKE/doms"
	[ -n "$sep" ] && echo "    }"
	echo "]"
	;;
save)
	fails save "$2" && { echo "pvctl: save failed" >&2; exit 1; }
	echo saved >"$3"
	grep -v "^$2 " "$FAKE/doms" >"$FAKE/doms.new"; mv "$FAKE/doms.new" "$FAKE/doms"
	;;
shutdown)
	eval "id=\${$#}"
	fails shutdown "$id" && exit 1
	grep -v "^$id " "$FAKE/doms" >"$FAKE/doms.new"; mv "$FAKE/doms.new" "$FAKE/doms"
	;;
restore)
	fails restore "$2" && exit 1
	echo "9 ${2##*/} pvctl" >>"$FAKE/doms"
	;;
create)
	if [ "$2" = --dry-run ]; then
		fails parse "$3" && { echo "pvctl: $3:1: bad" >&2; exit 2; }
		name=$(sed -n 's/^name *= *"\(.*\)"/\1/p' "$3")
		printf '{\n    "name": "%s",\n    "type": "pv",\n    "disk": [\n\n    ]\n}\n' "$name"
	else
		fails create "$3" && exit 1
		name=$(sed -n 's/^name *= *"\(.*\)"/\1/p' "$3")
		echo "8 $name pvctl" >>"$FAKE/doms"
	fi
	;;
domid)
	grep -q "^[0-9]* $2 " "$FAKE/doms"
	;;
*)
	echo "fake pvctl: unexpected $*" >&2; exit 99 ;;
esac
EOF
chmod +x "$tmp/pvctl"
export FAKE="$tmp" PVCTL="$tmp/pvctl" PVCTL_DOMAINS_CONF="$tmp/conf"

# reset DOMS...: a fresh host.
reset() {
	printf '%s\n' "$@" >"$tmp/doms"
	: >"$tmp/log"
	: >"$tmp/fail"
}
run() {
	"$script" "$@" >"$tmp/out" 2>&1
}

# --- stop without a save directory: shut down pvctl's guests, all at once ---

cat >"$tmp/conf" <<EOF
PVCTL_DOMAINS_SAVE=
PVCTL_DOMAINS_STOP_MAXWAIT=7
EOF
reset "0 Domain-0 xl" "1 web pvctl" "2 xlguest xl" "3 db pvctl"
if run stop; then ok "stop exits 0"; else not_ok "stop exits 0" "$(cat "$tmp/out")"; fi
sort "$tmp/log" >"$tmp/calls"
same "stop shuts down pvctl's guests only (not dom0, not xl's), waiting MAXWAIT" \
"list --json --long
shutdown --wait --timeout 7 1
shutdown --wait --timeout 7 3" "$tmp/calls"

reset "1 web pvctl" "3 db pvctl"
echo "shutdown 3" >"$tmp/fail"
if run stop; then
	not_ok "stop fails when a guest did not shut down"
else
	ok "stop fails when a guest did not shut down"
fi

reset "0 Domain-0 xl"
run stop
same "stop with no pvctl guest calls nothing but list" "list --json --long" "$tmp/log"

# --- stop with a save directory: save, and shut down what did not save ---

save=$tmp/save
cat >"$tmp/conf" <<EOF
PVCTL_DOMAINS_SAVE=$save
PVCTL_DOMAINS_STOP_MAXWAIT=9
EOF
reset "0 Domain-0 xl" "1 web pvctl" "2 xlguest xl" "3 db pvctl"
echo "save 3" >"$tmp/fail"
run stop
same "stop saves each pvctl guest to SAVE/NAME, then shuts down the one whose save failed" \
"list --json --long
save 1 $save/web
save 3 $save/db
list --json --long
shutdown --wait --timeout 9 3" "$tmp/log"
if [ -f "$save/web" ] && [ ! -e "$save/db" ] && [ "$(stat -c %a "$save")" = 700 ]; then
	ok "the save directory is made (0700) and holds the saved guest"
else
	not_ok "the save directory is made (0700) and holds the saved guest" "$(ls -la "$save")"
fi

# --- start: restore the saved, then create the auto configs ---

auto=$tmp/auto
mkdir -p "$auto"
printf 'name = "web"\n' >"$auto/web.cfg"
printf 'name = "mail"\n' >"$auto/mail.cfg"
printf 'name = "running"\n' >"$auto/running.cfg"
printf 'name = "broken"\n' >"$auto/broken.cfg"
printf 'name = "old"\n' >"$auto/old.cfg~"
printf 'name = "lost"\n' >"$auto/lost.cfg"
echo saved >"$save/lost"
cat >"$tmp/conf" <<EOF
PVCTL_DOMAINS_SAVE=$save
PVCTL_DOMAINS_RESTORE=true
PVCTL_DOMAINS_AUTO=$auto
EOF
reset "0 Domain-0 xl" "5 running pvctl"
printf '%s\n' "restore $save/lost" "parse $auto/broken.cfg" >"$tmp/fail"
if run start; then ok "start exits 0, even when a guest failed"; else not_ok "start exits 0, even when a guest failed" "$(cat "$tmp/out")"; fi
same "start restores, then creates each auto config whose guest neither was restored nor runs" \
"restore $save/lost
restore $save/web
create --dry-run $auto/broken.cfg
create --dry-run $auto/lost.cfg
create --dry-run $auto/mail.cfg
domid mail
create --quiet $auto/mail.cfg
create --dry-run $auto/running.cfg
domid running
create --dry-run $auto/web.cfg" "$tmp/log"
if [ ! -e "$save/web" ] && [ -f "$save/lost" ]; then
	ok "a restored save file is removed; one whose restore failed is kept"
else
	not_ok "a restored save file is removed; one whose restore failed is kept" "$(ls "$save")"
fi
if grep -q "restoring lost from $save/lost failed" "$tmp/out" &&
   grep -q "$auto/broken.cfg: not started" "$tmp/out" &&
   grep -q "Domain running is already running" "$tmp/out"; then
	ok "start says what failed and what it left alone"
else
	not_ok "start says what failed and what it left alone" "$(cat "$tmp/out")"
fi

cat >"$tmp/conf" <<EOF
PVCTL_DOMAINS_SAVE=$save
PVCTL_DOMAINS_RESTORE=false
PVCTL_DOMAINS_AUTO=
EOF
reset "0 Domain-0 xl"
run start
if [ ! -s "$tmp/log" ]; then
	ok "RESTORE=false and no AUTO: start calls nothing"
else
	not_ok "RESTORE=false and no AUTO: start calls nothing" "$(cat "$tmp/log")"
fi

# --- settings ---

printf 'PVCTL_DOMAINS_STOP_MAXWAIT=soon\n' >"$tmp/conf"
if run stop; then
	not_ok "a MAXWAIT that is not a number is refused"
elif grep -q "$tmp/conf: PVCTL_DOMAINS_STOP_MAXWAIT=soon" "$tmp/out"; then
	ok "a MAXWAIT that is not a number is refused, naming the file"
else
	not_ok "a MAXWAIT that is not a number is refused, naming the file" "$(cat "$tmp/out")"
fi
if run bogus; then not_ok "an unknown action is a usage error"; else ok "an unknown action is a usage error"; fi

# The shipped defaults parse and are what the comments say.
PVCTL_DOMAINS_CONF=$root/systemd/pvctl-domains.default
reset "1 web pvctl"
run stop
same "with the shipped settings, stop shuts down (no save directory) within 300 s" \
"list --json --long
shutdown --wait --timeout 300 1" "$tmp/log"

echo "1..$n"
[ $failed = 0 ] && echo "test_domains: $n passed, 0 failed" ||
	echo "test_domains: $((n - failed)) passed, $failed failed"
[ $failed = 0 ]
