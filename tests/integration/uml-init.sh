#!/bin/sh
# init for a user-mode-linux guest booted with the host's / as its hostfs root
# (tests/integration/uml.py): a minimal system where AppArmor is enforced, then
# the job. Contract: MINPRIV_JOB (from the kernel command line) names a host
# directory holding job.sh; it is bind-mounted at /run/minpriv-job before /tmp
# gets a fresh tmpfs, and job.sh runs with that directory as $J. Step outputs
# go to files in $J; the console carries markers and the kernel's DENIED lines.
# The guest always ends with `halt -f`, whatever the job does.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t securityfs securityfs /sys/kernel/security
# /dev is a fresh devtmpfs: POSIX semaphores and shm need /dev/shm.
mkdir -p /dev/shm
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /dev/shm
mkdir -p /run/minpriv-job
mount --bind "$MINPRIV_JOB" /run/minpriv-job
# Files created on the hostfs root all belong to the host user: a fresh
# tmpfs /tmp keeps real owners, so `owner` rules are tested for real.
mount -t tmpfs -o mode=1777 tmpfs /tmp
ip link set lo up
# Every audit record to the console: no printk rate limit.
echo 0 >/proc/sys/kernel/printk_ratelimit
echo "@@minpriv apparmor $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null || echo none)"
J=/run/minpriv-job
export J
sh "$J/job.sh"
echo "@@minpriv job-status $?"
# Let kauditd print the last records before the machine stops.
sleep 1
echo "@@minpriv done"
halt -f
