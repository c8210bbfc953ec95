# domU half of vbmq-blkfront-basic: the disk, its queues, some I/O.
ok "/dev/xvda appears" wait_for 30 test -b /dev/xvda
is "/sys/block/xvda/mq has 2 hardware queues" "$(ls /sys/block/xvda/mq | wc -l)" 2
is "vbmq/nr_rings is 2" "$(cat /sys/block/xvda/vbmq/nr_rings)" 2
is "vbmq/state is connected" "$(cat /sys/block/xvda/vbmq/state)" connected
step "64 KiB direct reads, one fio job pinned to each vCPU" 120 \
	fio --name=rd --filename=/dev/xvda --ioengine=libaio --direct=1 \
	--rw=read --bs=64k --size=16m --offset_increment=16m --numjobs=2 \
	--cpus_allowed=0-1 --cpus_allowed_policy=split --group_reporting=1
step "1 MiB direct writes (indirect requests)" 60 \
	dd if=/dev/zero of=/dev/xvda bs=1M count=16 seek=100 oflag=direct
step "flush" 30 sync
cat /sys/block/xvda/vbmq/rings | diag_file /dev/stdin
grep xvda /proc/interrupts | diag_file /dev/stdin
ok "no errors counted" awk 'NR > 1 && $13 != 0 { exit 1 }' /sys/block/xvda/vbmq/rings
ok "dom0 finished its checks while the rings were up" wait_signal dom0-checked 60
