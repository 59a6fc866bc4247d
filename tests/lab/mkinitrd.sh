#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# mkinitrd.sh - build the lab's two initramfs images (newc cpio, gzip).
#
#   $BUILD/guest.img  PID 1 = tests/lab/guest/init; busybox, xen-blkfront,
#                     xen-netfront, the xenstore client, pvctl-agent if built.
#                     Rebuilt only when one of its inputs changed.
#   $BUILD/dom0.img   PID 1 = tests/lab/dom0/init; busybox, dom0 modules,
#                     xenstored, xenconsoled, xen-init-dom0, xl, xenstore-*,
#                     xenstore-control, xl's hotplug scripts (dom0/scripts/),
#                     the guest kernel + guest.img under /lab/guest, the
#                     scenarios, lib.sh, and pvctl if built. Always rebuilt.
#   $BUILD/bootdisk.img  a guest disk that boots by itself (ext2: the guest
#                     kernel, guest.img and a grub.cfg under /boot), with
#                     PVGRUB2 (grub-x86_64-xen.bin) as /lab/guest/pvgrub2.bin.
#
# Needs fetch.sh to have filled the cache. Environment:
#   PVCTL_LAB_CACHE   cache folder (default ~/.cache/pvctl-lab)
#   PVCTL_LAB_BUILD   output folder (default tests/lab/build)
#   PVCTL_BIN         pvctl binary (default ./pvctl at the repo root)
#   PVCTL_AGENT_BIN   guest agent binary (default ./pvctl-agent at the repo root)
set -eu

LAB=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$LAB/../.." && pwd)
CACHE=${PVCTL_LAB_CACHE:-$HOME/.cache/pvctl-lab}
BUILD=${PVCTL_LAB_BUILD:-$LAB/build}
PVCTL_BIN=${PVCTL_BIN:-$REPO/pvctl}
PVCTL_AGENT_BIN=${PVCTL_AGENT_BIN:-$REPO/pvctl-agent}

ROOT=$CACHE/root
[ -s "$CACHE/kver" ] || { echo "mkinitrd.sh: run fetch.sh first" >&2; exit 1; }
KVER=$(cat "$CACHE/kver")
MODDIR=$ROOT/lib/modules/$KVER/kernel
XENBIN=/usr/lib/xen-4.17/bin
# Where ldd looks for the Xen libraries unpacked from the .debs.
XENLIBS=$ROOT/usr/lib/x86_64-linux-gnu:$ROOT/lib/x86_64-linux-gnu

# dom0 modules in load order (xenfs needs xen-privcmd; bridge needs llc, stp;
# e1000 drives the NIC between two lab hosts, see run.sh's "# lab: peer").
DOM0_MODULES="xen-evtchn xen-privcmd xenfs xen-gntdev xen-gntalloc xen-blkback
xen-netback loop llc stp bridge e1000"
GUEST_MODULES="xen-blkfront xen-netfront"
XENSTORE_CMDS="read write ls list rm chmod exists watch"

die() { echo "mkinitrd.sh: error: $*" >&2; exit 1; }
warn() { echo "mkinitrd.sh: warning: $*" >&2; }

# stage_busybox DIR: busybox plus a symlink for each of its applets.
stage_busybox() {
    mkdir -p "$1/bin"
    cp "$ROOT/bin/busybox" "$1/bin/busybox"
    for a in $("$ROOT/bin/busybox" --list-full); do
        case $a in */*) ;; *) continue;; esac     # "linuxrc": not wanted
        [ -e "$1/$a" ] || [ -L "$1/$a" ] && continue
        mkdir -p "$1/${a%/*}"
        ln -s /bin/busybox "$1/$a"
    done
}

# stage_modules DIR NAME...: copy NAME.ko into DIR/lib/modules, checking that
# each module's dependencies (its .modinfo "depends=") come earlier in the list.
stage_modules() {
    dir=$1; shift
    mkdir -p "$dir/lib/modules"
    seen=" "
    for m in "$@"; do
        ko=$(find "$MODDIR" -name "$m.ko" | head -n 1)
        [ -n "$ko" ] || die "module $m.ko not found under $MODDIR"
        deps=$(tr '\0' '\n' < "$ko" | sed -n 's/^depends=//p' | tr ',' ' ')
        for d in $deps; do
            case $seen in *" $d "*) ;; *) die "module $m needs $d loaded first";; esac
        done
        cp "$ko" "$dir/lib/modules/$m.ko"
        seen="$seen$m "
    done
}

# stage_libs DIR BINARY [LD_LIBRARY_PATH]: copy the shared libraries ldd lists
# for BINARY into DIR/lib/x86_64-linux-gnu (the loader into DIR/lib64).
# Fails on any "not found": a dom0 whose tools cannot start is useless.
stage_libs() {
    dir=$1 bin=$2 ldpath=${3:-}
    mkdir -p "$dir/lib/x86_64-linux-gnu" "$dir/lib64"
    out=$(LD_LIBRARY_PATH=$ldpath ldd "$bin" 2>&1) || {
        case $out in
        *"not a dynamic executable"*|*"statically linked"*) return 0;;
        esac
        die "ldd $bin failed: $out"
    }
    if echo "$out" | grep -q 'not found'; then
        die "ldd $bin: missing libraries:
$(echo "$out" | grep 'not found')"
    fi
    echo "$out" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }
                       $1 ~ /^\// { print $1 }' |
    while read -r lib; do
        case $lib in
        */ld-linux-x86-64.so.2) cp -L "$lib" "$dir/lib64/ld-linux-x86-64.so.2";;
        *) cp -L "$lib" "$dir/lib/x86_64-linux-gnu/${lib##*/}";;
        esac
    done
}

# stage_bin DIR SRC DEST [LD_LIBRARY_PATH]: install a binary and its libraries.
stage_bin() {
    mkdir -p "$1$(dirname "$3")"
    cp -L "$2" "$1$3"
    chmod 755 "$1$3"
    stage_libs "$1" "$2" "${4:-}"
}

# stage_xenstore DIR: the xenstore client and its xenstore-NAME links (the
# one binary dispatches on the name it was called by).
stage_xenstore() {
    stage_bin "$1" "$ROOT/usr/bin/xenstore" /usr/bin/xenstore "$XENLIBS"
    for c in $XENSTORE_CMDS; do
        ln -sf xenstore "$1/usr/bin/xenstore-$c"
    done
}

# stage_base DIR INIT: the skeleton every image has.
stage_base() {
    mkdir -p "$1/proc" "$1/sys" "$1/dev" "$1/tmp" "$1/run" "$1/etc" "$1/root"
    # The kernel opens /dev/console before running /init.
    mknod -m 600 "$1/dev/console" c 5 1
    mknod -m 666 "$1/dev/null" c 1 3
    cp "$2" "$1/init"
    chmod 755 "$1/init"
    stage_busybox "$1"
    # glibc's pthread_cancel (used by xl) dlopen()s libgcc_s.
    mkdir -p "$1/lib/x86_64-linux-gnu"
    cp -L /lib/x86_64-linux-gnu/libgcc_s.so.1 "$1/lib/x86_64-linux-gnu/"
}

# pack DIR OUT: newc cpio, owned by root, gzip'd; replaced atomically.
pack() {
    (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) |
        gzip -6 > "$2.tmp"
    mv "$2.tmp" "$2"
}

mkdir -p "$BUILD"

# ---- guest image ------------------------------------------------------------
# Rebuilt when the fingerprint of its inputs changes.
agent=
if [ -e "$PVCTL_AGENT_BIN" ]; then
    agent=$PVCTL_AGENT_BIN
fi
fp=$(cat "$LAB/guest/init" "$0" ${agent:+"$agent"} "$CACHE/kver" "$ROOT/bin/busybox" |
     md5sum | cut -d' ' -f1)
if [ -s "$BUILD/guest.img" ] && [ "$(cat "$BUILD/guest.fp" 2>/dev/null)" = "$fp" ]; then
    echo "mkinitrd.sh: guest.img up to date" >&2
else
    G=$BUILD/guest.root
    rm -rf "$G"
    stage_base "$G" "$LAB/guest/init"
    stage_modules "$G" $GUEST_MODULES
    stage_xenstore "$G"
    if [ -n "$agent" ]; then
        stage_bin "$G" "$agent" /usr/sbin/pvctl-agent
    fi
    pack "$G" "$BUILD/guest.img"
    echo "$fp" > "$BUILD/guest.fp"
    rm -rf "$G"
    echo "mkinitrd.sh: built $BUILD/guest.img${agent:+ (with pvctl-agent)}" >&2
fi

# ---- a disk that boots by itself: for PVGRUB2 and pygrub ---------------------
# grub.cfg's marker is fixed: a guest booted from the disk says
# "PVCTL-GUEST-UP bootdisk" whatever its name.
PVGRUB=$ROOT/usr/lib/grub-xen/grub-x86_64-xen.bin
[ -e "$PVGRUB" ] || die "missing $PVGRUB (fetch.sh installs grub-xen-host)"
if [ ! -s "$BUILD/bootdisk.img" ] || [ "$BUILD/guest.img" -nt "$BUILD/bootdisk.img" ] ||
   [ "$0" -nt "$BUILD/bootdisk.img" ]; then
    B=$BUILD/bootdisk.root
    rm -rf "$B"
    mkdir -p "$B/boot/grub"
    cp "$CACHE/vmlinuz" "$B/boot/vmlinuz"
    cp "$BUILD/guest.img" "$B/boot/initrd.img"
    printf '%s\n' 'set timeout=0' "menuentry 'pvctl lab guest' {" \
        '    linux /boot/vmlinuz console=hvc0 marker=bootdisk' \
        '    initrd /boot/initrd.img' '}' > "$B/boot/grub/grub.cfg"
    size=$(( $(du -sk "$B" | cut -f1) + 4096 ))
    rm -f "$BUILD/bootdisk.img"
    mke2fs -q -t ext2 -d "$B" -L pvboot "$BUILD/bootdisk.img" "${size}k" > /dev/null ||
        die "mke2fs failed"
    rm -rf "$B"
    echo "mkinitrd.sh: built $BUILD/bootdisk.img" >&2
fi

# stage_pygrub DIR: Xen's pygrub and what it runs on: Python 3.11 with the
# parts of its library pygrub imports (no tests, GUI or extension modules
# it does not need), Xen's python modules, libxenfsimage and its plugins.
PY_EXTENSIONS="_ctypes _curses resource termios"
stage_pygrub() {
    stage_bin "$1" "$ROOT/usr/bin/python3.11" /usr/bin/python3.11 "$XENLIBS"
    ln -s python3.11 "$1/usr/bin/python3"
    (cd "$ROOT/usr/lib" &&
     find python3.11 \( -name test -o -name tests -o -name idlelib -o \
         -name tkinter -o -name ensurepip -o -name lib2to3 -o \
         -name turtledemo -o -name pydoc_data -o -name __pycache__ -o \
         -name 'config-3.11-*' -o -name lib-dynload -o -name asyncio -o \
         -name email -o -name xml -o -name multiprocessing -o \
         -name unittest -o -name http -o -name xmlrpc -o -name sqlite3 \) \
         -prune -o -print |
     cpio -pdm --quiet "$1/usr/lib") || die "copying Python's library"
    mkdir -p "$1/usr/lib/python3.11/lib-dynload"
    for m in $PY_EXTENSIONS; do
        so=$(echo "$ROOT"/usr/lib/python3.11/lib-dynload/$m.cpython-311-*.so)
        [ -e "$so" ] || die "missing Python extension $m"
        stage_bin "$1" "$so" "/usr/lib/python3.11/lib-dynload/${so##*/}" "$XENLIBS"
    done
    stage_bin "$1" "$ROOT$XENBIN/pygrub" "$XENBIN/pygrub"
    mkdir -p "$1/usr/lib/xen-4.17"
    cp -a "$ROOT/usr/lib/xen-4.17/lib" "$1/usr/lib/xen-4.17/"
    for so in $(find "$1/usr/lib/xen-4.17/lib" -name '*.so*' -type f); do
        stage_libs "$1" "$so" "$XENLIBS:$ROOT/usr/lib/xen-4.17/lib/x86_64-linux-gnu"
    done
}

# ---- dom0 image -------------------------------------------------------------
D=$BUILD/dom0.root
rm -rf "$D"
stage_base "$D" "$LAB/dom0/init"
stage_modules "$D" $DOM0_MODULES
for b in xenstored xenconsoled xen-init-dom0 xl xenconsole libxl-save-helper \
         xenstore-control; do
    stage_bin "$D" "$ROOT$XENBIN/$b" "$XENBIN/$b" "$XENLIBS"
done
mkdir -p "$D/usr/sbin"
ln -s "$XENBIN/xl" "$D/usr/sbin/xl"
stage_xenstore "$D"
stage_pygrub "$D"
if [ -e "$PVCTL_BIN" ]; then
    # Built on the host against the host's libxen (same Xen 4.17.7): its
    # libraries come from the host.
    stage_bin "$D" "$PVCTL_BIN" /usr/sbin/pvctl
    # pvctl-domains.service's script (the pvctl-domains scenario)
    mkdir -p "$D/usr/libexec/pvctl"
    cp "$REPO/systemd/pvctl-domains" "$D/usr/libexec/pvctl/pvctl-domains"
    # libcurl, which pvctl loads only for the autoscale loop's webhook
    curl=$(ldconfig -p | awk '$1 == "libcurl.so.4" && /x86-64/ { print $NF; exit }')
    [ -n "$curl" ] || die "libcurl.so.4 not found on the host (libcurl4-openssl-dev)"
    stage_bin "$D" "$curl" /lib/x86_64-linux-gnu/libcurl.so.4
    echo "mkinitrd.sh: dom0 gets pvctl from $PVCTL_BIN" >&2
else
    warn "no pvctl at $PVCTL_BIN: dom0 built without it (pvctl scenarios will fail)"
fi
# Folders and files the Xen tools expect.
mkdir -p "$D/etc/xen" "$D/var/lib/xen" "$D/var/lib/xenstored" "$D/var/log/xen/console"
: > "$D/etc/xen/xl.conf"          # xl warns without it
# xl's hotplug scripts (minimal POSIX-sh stand-ins; pvctl needs none).
mkdir -p "$D/etc/xen/scripts"
for f in "$LAB"/dom0/scripts/*; do
    [ -f "$f" ] && install -m 755 "$f" "$D/etc/xen/scripts/${f##*/}"
done
ln -s ../run "$D/var/run"         # xl wants /var/run/xen
ln -s ../run/lock "$D/var/lock"
# The lab itself.
mkdir -p "$D/lab/guest" "$D/lab/scenarios"
cp "$CACHE/vmlinuz" "$D/lab/guest/vmlinuz"
cp "$BUILD/guest.img" "$D/lab/guest/initrd.img"
cp "$BUILD/bootdisk.img" "$D/lab/guest/bootdisk.img"
cp "$PVGRUB" "$D/lab/guest/pvgrub2.bin"
cp "$LAB/lib.sh" "$D/lab/lib.sh"
install -m 755 "$LAB/dom0/peer-exec" "$D/lab/peer-exec"
install -m 755 "$LAB/dom0/labssh" "$D/lab/labssh"
for s in "$LAB"/scenarios/*.sh; do
    [ -e "$s" ] && cp "$s" "$D/lab/scenarios/"
done
pack "$D" "$BUILD/dom0.img"
rm -rf "$D"
echo "mkinitrd.sh: built $BUILD/dom0.img" >&2
