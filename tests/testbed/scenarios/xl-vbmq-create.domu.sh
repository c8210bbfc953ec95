# domU half of xl-vbmq-create: 2 rings; reads on both when dom0 says so.
ok "/dev/xvda appears" wait_for 30 test -b /dev/xvda
is "/sys/block/xvda/mq has 2 hardware queues" "$(ls /sys/block/xvda/mq | wc -l)" 2
ok "dom0 says start I/O" wait_signal io 120
for cpu in 0 1; do
	taskset -c "$cpu" dd if=/dev/xvda of=/dev/null bs=4k count=300 \
		skip=$((cpu * 1000)) iflag=direct 2>/dev/null &
done
wait
signal io-done
ok "dom0 finished its checks" wait_signal done 120
