# domU half of upstream-mq: the block layer sees one hardware queue per ring.
ok "/dev/xvda appears" wait_for 30 test -b /dev/xvda
is "/sys/block/xvda/mq has 2 hardware queues" "$(ls /sys/block/xvda/mq | wc -l)" 2
for q in /sys/block/xvda/mq/*; do
	note "hctx $(basename "$q"): cpu_list $(cat "$q/cpu_list")"
done
# Traffic on both rings: one reader pinned to each vCPU.
for cpu in 0 1; do
	taskset -c "$cpu" dd if=/dev/xvda of=/dev/null bs=64k count=256 \
		skip=$((cpu * 256)) iflag=direct 2>/dev/null &
done
wait
grep -E 'blkif|xvda' /proc/interrupts | diag_file /dev/stdin
is "each ring has its own event-channel interrupt" \
	"$(grep -c -E 'blkif' /proc/interrupts)" 2
ok "dom0 finished its checks while the rings were up" wait_signal dom0-checked 180
