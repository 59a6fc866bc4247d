#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-or-later
# fetch.sh - download and unpack the Debian packages the Xen lab boots from.
#
# Everything lands in a cache folder that survives between runs:
#   $CACHE/debs/       the .deb files (apt-get download, unprivileged names)
#   $CACHE/root/       all packages unpacked with dpkg -x (one merged tree)
#   $CACHE/xen         the hypervisor, uncompressed (QEMU's multiboot loader
#                      does not take the .gz)
#   $CACHE/vmlinuz     the Debian kernel used for dom0 and for the guests
#   $CACHE/kver        that kernel's version string (6.1.0-NN-amd64)
#   $CACHE/unpacked/   one stamp per .deb already unpacked into root/
# Work already done is skipped, so a second run only checks that files exist.
#
# Environment: PVCTL_LAB_CACHE (default ~/.cache/pvctl-lab).
# Optional:    PVCTL_LAB_SEED, a folder of .debs copied in before downloading.
set -eu

CACHE=${PVCTL_LAB_CACHE:-$HOME/.cache/pvctl-lab}
DEBS=$CACHE/debs
ROOT=$CACHE/root

# The lab's packages (see /work/shared/XENLAB.md). The kernel is added below.
PKGS="xen-hypervisor-4.17-amd64 busybox-static xen-utils-4.17 xenstore-utils
libxenmisc4.17 libxenstore4 libxencall1 libxenevtchn1 libxengnttab1
libxenforeignmemory1 libxentoollog1 libxendevicemodel1 libxentoolcore1
libxenhypfs1 libyajl2 grub-xen-host
python3.11-minimal libpython3.11-minimal libpython3.11-stdlib libffi8
libncursesw6 libtinfo6"

die() { echo "fetch.sh: error: $*" >&2; exit 1; }
say() { echo "fetch.sh: $*" >&2; }

mkdir -p "$DEBS" "$ROOT" "$CACHE/unpacked"

# "apt-get update" at most once per run, and only when apt needs it.
UPDATED=no
apt_update() {
    [ "$UPDATED" = yes ] && return 0
    say "running apt-get update"
    apt-get update -qq || die "apt-get update failed"
    UPDATED=yes
}

# The current kernel package, e.g. linux-image-6.1.0-56-amd64: the metapackage
# linux-image-amd64 depends on exactly one versioned image.
kernel_pkg() {
    apt-cache depends linux-image-amd64 2>/dev/null |
        awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }'
}
KPKG=$(kernel_pkg)
if [ -z "$KPKG" ]; then
    apt_update
    KPKG=$(kernel_pkg)
fi
[ -n "$KPKG" ] || die "cannot resolve the kernel package from linux-image-amd64"
KVER=${KPKG#linux-image-}

# Seed the cache from a folder of already-downloaded .debs, if given.
if [ -n "${PVCTL_LAB_SEED:-}" ] && [ -d "$PVCTL_LAB_SEED" ]; then
    for f in "$PVCTL_LAB_SEED"/*.deb; do
        [ -e "$f" ] || continue
        [ -e "$DEBS/${f##*/}" ] || cp "$f" "$DEBS/"
    done
fi

# Print the cached .deb of package $1, if any (names are PKG_VERSION_ARCH.deb;
# the version may hold an escaped epoch such as 1%3a).
cached_deb() {
    for f in "$DEBS/$1"_*.deb; do
        [ -e "$f" ] && { echo "$f"; return 0; }
    done
    return 1
}

for p in $PKGS "$KPKG"; do
    cached_deb "$p" >/dev/null && continue
    say "downloading $p"
    # apt-get download writes into the current folder. Running as root,
    # apt's _apt sandbox user may not be able to write there: skip it.
    if ! (cd "$DEBS" && apt-get download -q -o APT::Sandbox::User=root "$p"); then
        apt_update
        (cd "$DEBS" && apt-get download -q -o APT::Sandbox::User=root "$p") ||
            die "apt-get download $p failed"
    fi
    cached_deb "$p" >/dev/null || die "$p: download reported success but no .deb"
done

# Unpack each .deb once; a stamp file per .deb records that it is done.
for p in $PKGS "$KPKG"; do
    deb=$(cached_deb "$p")
    stamp=$CACHE/unpacked/${deb##*/}
    [ -e "$stamp" ] && continue
    say "unpacking ${deb##*/}"
    dpkg -x "$deb" "$ROOT" || die "dpkg -x $deb failed"
    touch "$stamp"
done

# The hypervisor: QEMU's multiboot loader needs it uncompressed.
XENGZ=$ROOT/boot/xen-4.17-amd64.gz
[ -e "$XENGZ" ] || die "missing $XENGZ"
if [ ! -s "$CACHE/xen" ] || [ "$XENGZ" -nt "$CACHE/xen" ]; then
    zcat "$XENGZ" > "$CACHE/xen.tmp" && mv "$CACHE/xen.tmp" "$CACHE/xen"
fi

# The kernel (dom0 and guests use the same image).
[ -e "$ROOT/boot/vmlinuz-$KVER" ] || die "missing $ROOT/boot/vmlinuz-$KVER"
[ -d "$ROOT/lib/modules/$KVER" ] || die "missing $ROOT/lib/modules/$KVER"
cp -p "$ROOT/boot/vmlinuz-$KVER" "$CACHE/vmlinuz"
echo "$KVER" > "$CACHE/kver"

say "ready: $CACHE/xen $CACHE/vmlinuz (kernel $KVER)"
