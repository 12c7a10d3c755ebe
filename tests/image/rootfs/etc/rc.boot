#!/bin/sh
# First thing busybox init runs (::sysinit): the kernel's filesystems,
# tmpfs for /run and /tmp, and the data disk (label sesame-data), whose
# directories are bound over /etc/pds, /var/lib/pds and /var/log: the
# root stays read-only, sesame's state persists.
mount -t proc proc /proc
mount -t sysfs sys /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
dmesg -n 1
hostname sesame
if data=$(findfs LABEL=sesame-data) && mount -t ext4 -o rw,noatime "$data" /data; then
	mkdir -p -m 0755 /data/etc/pds /data/var/log
	mkdir -p -m 0700 /data/var/lib/pds
	mount --bind /data/etc/pds /etc/pds
	mount --bind /data/var/lib/pds /var/lib/pds
	mount --bind /data/var/log /var/log
else
	echo "rc.boot: no data disk: sesame's state will not survive a reboot"
	mount -t tmpfs -o mode=0755 tmpfs /var/log
fi
mkdir -p /run/runit/supervise
echo "rc.boot: $(cat /etc/image-arch), kernel $(uname -r), up $(cut -d' ' -f1 /proc/uptime) s"
