# SPDX-License-Identifier: GPL-2.0-or-later
# pvctl-boot: guests that boot from their own disk, as most real PV
# configs do: PVGRUB2 given as the kernel, and bootloader = "pygrub".
# The disk (mkinitrd.sh's bootdisk.img: ext2 with /boot/vmlinuz,
# /boot/initrd.img and /boot/grub/grub.cfg) says "marker=bootdisk".
set -u
. /lab/lib.sh

CHECK_TIMEOUT=120
loops() { cat /sys/block/loop*/loop/backing_file 2>/dev/null | wc -l; }
loops0=$(loops)

# PVGRUB2: pvctl builds grub-x86_64-xen.bin like any PV kernel; grub then
# reads grub.cfg from xvda through its own blkfront and loads the kernel.
cp /lab/guest/bootdisk.img /tmp/pvgrub.img
cat > /tmp/pvg1.cfg <<EOC
name = "pvg1"
type = "pv"
kernel = "/lab/guest/pvgrub2.bin"
memory = 128
disk = [ "/tmp/pvgrub.img,raw,xvda,w" ]
EOC
timed check "create pvg1 with PVGRUB2 as its kernel" pvctl create /tmp/pvg1.cfg
expect_console "PVGRUB2 boots the kernel from pvg1's disk" pvg1 "PVCTL-GUEST-UP bootdisk" 180
check "pvg1 runs" pvctl list pvg1
check "destroy pvg1" pvctl destroy pvg1
check "no loop device left behind" test "$(loops)" -eq "$loops0"

# pygrub: pvctl runs Xen's pygrub on the first disk, as xl does, and
# builds the domain from the kernel, ramdisk and arguments pygrub finds
# in the disk's grub.cfg.
leftovers() { ls -d /run/pvctl/bootloader.* 2>/dev/null | wc -l; }
cp /lab/guest/bootdisk.img /tmp/pygrub.img
cat > /tmp/pyg1.cfg <<EOC
name = "pyg1"
type = "pv"
bootloader = "pygrub"
memory = 128
disk = [ "/tmp/pygrub.img,raw,xvda,w" ]
EOC
timed check "create pyg1 with bootloader = pygrub" pvctl -v create /tmp/pyg1.cfg
diag_file "$LAB_OUT" 14
# What comes from a guest's disk never enters the kernel cache (-v names
# the cache's hit or miss only for kernels that go through it).
check_fail "pygrub's kernel bypasses the kernel cache" grep -q "kernel cache" "$LAB_OUT"
expect_console "pyg1 boots the kernel pygrub found on its disk" pyg1 "PVCTL-GUEST-UP bootdisk" 120
check "pygrub's temporary files are gone" test "$(leftovers)" -eq 0
check "destroy pyg1" pvctl destroy pyg1

# A disk with no kernel on it: pygrub's reason, and nothing left behind.
dd if=/dev/zero of=/tmp/blank.img bs=1M count=4 2>/dev/null
sed 's/pygrub.img/blank.img/; s/pyg1/pyg2/' /tmp/pyg1.cfg > /tmp/pyg2.cfg
check_fail "a disk without a kernel fails the create" pvctl create /tmp/pyg2.cfg
check "with pygrub's reason" grep -q "Unable to find partition" "$LAB_OUT"
diag_file "$LAB_OUT" 4
check_fail "it leaves no domain" pvctl domid pyg2
check "nor temporary files" test "$(leftovers)" -eq 0
check "nor loop devices" test "$(loops)" -eq "$loops0"
