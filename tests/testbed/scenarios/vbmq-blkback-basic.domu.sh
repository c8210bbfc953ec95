# domU half of vbmq-blkback-basic: in-tree xen-blkfront on vbmq-blkback,
# fio write-then-verify while dom0 switches poll modes and pinning, then
# discard and flush.
. /vbmq/scenarios/integrity.lib
ok "/dev/xvda appears" wait_for 30 test -b /dev/xvda
is "/sys/block/xvda/mq has 2 hardware queues" "$(ls /sys/block/xvda/mq | wc -l)" 2
ok "dom0 says go" wait_signal go 120
# A verifying load that lasts until dom0 has made all its live changes, so
# every change happens under I/O whatever the speed of the passes below.
fio --name=live --filename=/dev/xvda --ioengine=libaio --direct=1 \
	--rw=randwrite --bs=4k --iodepth=8 --offset=700m --size=64m \
	--verify=crc32c --verify_backlog=256 --verify_fatal=1 --randrepeat=0 \
	--time_based --runtime=900 --eta=never >/tmp/live.log 2>&1 &
live=$!
integrity_fio /dev/xvda
step "discard 64 MiB" 60 blkdiscard -o $((512 * 1048576)) -l $((64 * 1048576)) /dev/xvda
step "write with flush (O_DIRECT + fsync)" 30 dd if=/dev/zero of=/dev/xvda bs=4k count=16 seek=1000 oflag=direct conv=fsync
integrity_pattern /dev/xvda
ok "dom0 finished its live changes" wait_signal dom0-done 600
kill -INT "$live"
wait "$live"
rc=$?
diag_file /tmp/live.log
# fio stopped by a signal exits 128 after its report; anything else is an error
ok "verifying fio under the live changes ended only by the stop" \
	test "$rc" = 128 -o "$rc" = 0
ok "verifying fio saw no error" sh -c '! grep -Eq "err= *[1-9]|verify:" /tmp/live.log'
ok "verifying fio read back and checked its writes" \
	grep -Eq 'issued rwts: total=[1-9]' /tmp/live.log
