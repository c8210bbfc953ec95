# domU half of vbmq-blkback-basic: in-tree xen-blkfront on vbmq-blkback,
# fio write-then-verify while dom0 switches poll modes and pinning, then
# discard and flush.
. /vbmq/scenarios/integrity.lib
ok "/dev/xvda appears" wait_for 30 test -b /dev/xvda
is "/sys/block/xvda/mq has 2 hardware queues" "$(ls /sys/block/xvda/mq | wc -l)" 2
ok "dom0 says go" wait_signal go 120
integrity_fio /dev/xvda
step "discard 64 MiB" 60 blkdiscard -o $((512 * 1048576)) -l $((64 * 1048576)) /dev/xvda
step "write with flush (O_DIRECT + fsync)" 30 dd if=/dev/zero of=/dev/xvda bs=4k count=16 seek=1000 oflag=direct conv=fsync
integrity_pattern /dev/xvda
