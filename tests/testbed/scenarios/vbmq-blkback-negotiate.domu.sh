# domU half of vbmq-blkback-negotiate: blk-mq has one hardware queue per ring.
rings=${VBMQ_ARGS#rings=}
ok "/dev/xvda appears" wait_for 30 test -b /dev/xvda
is "/sys/block/xvda/mq has $rings hardware queue(s)" "$(ls /sys/block/xvda/mq | wc -l)" "$rings"
for q in /sys/block/xvda/mq/*; do
	note "hctx $(basename "$q"): cpu_list $(cat "$q/cpu_list")"
done
ok "reads through every ring" dd if=/dev/xvda of=/dev/null bs=64k count=64 iflag=direct
ok "dom0 finished its checks" wait_signal dom0-checked 180
