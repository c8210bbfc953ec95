# domU half of vbmq-blkfront-mq.  $VBMQ_ARGS: vbmq or upstream frontend,
# then "trace" to record vbmq-blkfront's tracepoints during the pinned fio
# run and check that each fired.
. /vbmq/scenarios/vbmq-blkfront.lib
read -r fe trace <<<"$VBMQ_ARGS"
ok "/dev/xvda appears" wait_for 30 test -b /dev/xvda
is "/sys/block/xvda/mq has 4 hardware queues" "$(ls /sys/block/xvda/mq | wc -l)" 4
for q in /sys/block/xvda/mq/*; do
	note "hctx $(basename "$q"): cpu_list $(cat "$q/cpu_list")"
done
if [ "$fe" = vbmq ]; then
	is "vbmq/poll_queues is 1" "$(cat /sys/block/xvda/vbmq/poll_queues)" 1
	is "queue/io_poll is on" "$(cat /sys/block/xvda/queue/io_poll)" 1
	fe_rings | diag_file /dev/stdin
fi

# One fio job pinned to each vCPU; interrupts counted per ring and vCPU.
fe_irq_snapshot "$fe" > /tmp/irq.before
# a small buffer (the newest events kept): reading it back stays quick
[ "$trace" = trace ] && ok "vbmq_blkfront events recording" trace_start vbmq_blkfront 64
step "4 KiB random reads, one libaio job pinned per vCPU" 200 \
	fio --name=pinned --filename=/dev/xvda --ioengine=libaio --direct=1 \
	--rw=randread --bs=4k --iodepth=8 --numjobs=4 --cpus_allowed=0-3 \
	--cpus_allowed_policy=split --size=256m --offset_increment=256m \
	--time_based=1 --runtime=8 --group_reporting=1
fe_irq_snapshot "$fe" > /tmp/irq.after
if [ "$trace" = trace ]; then
	trace_stop vbmq_blkfront /tmp/fe.trace
	grep -m 2 ' vbmq_fe_' /tmp/fe.trace | diag_file /dev/stdin
	for ev in notify complete; do
		ok "tracepoint vbmq_fe_$ev fired" \
			test "$(trace_count "vbmq_fe_$ev" /tmp/fe.trace)" -gt 0
	done
fi
grep -E 'xvda|blkif|CPU' /proc/interrupts | diag_file /dev/stdin
fe_irq_affinity_check "$fe" /tmp/irq.before /tmp/irq.after > /tmp/irq.share
while read -r r on total; do
	note "$fe ring $r: $on of $total interrupts on the vCPUs of its hardware queue"
	if [ "$fe" = vbmq ]; then
		ok "ring $r: interrupts seen" test "$total" -gt 0
		ok "ring $r: >= 99% of interrupts on its queue's vCPUs ($on/$total)" \
			test $((on * 100)) -ge $((total * 99))
	fi
done < /tmp/irq.share

if [ "$fe" = vbmq ]; then
	# io_uring with hipri goes to the polled queue (ring 3).
	irq_before=$(awk '$NF == "xvda-q3-poll" { s = 0; for (i = 2; i < NF - 2; i++) s += $i; print s }' /proc/interrupts)
	done_before=$(fe_ring_stat 3 completions)
	yields_before=$(fe_ring_stat 3 poll_yields)
	step "4 KiB random reads, io_uring hipri (polled)" 200 \
		fio --name=polled --filename=/dev/xvda --ioengine=io_uring \
		--hipri=1 --direct=1 --rw=randread --bs=4k --iodepth=8 \
		--size=48m --group_reporting=1
	irq_after=$(awk '$NF == "xvda-q3-poll" { s = 0; for (i = 2; i < NF - 2; i++) s += $i; print s }' /proc/interrupts)
	done_after=$(fe_ring_stat 3 completions)
	yields_after=$(fe_ring_stat 3 poll_yields)
	fe_rings | diag_file /dev/stdin
	note "polled ring 3: completions $done_before -> $done_after, interrupts $irq_before -> $irq_after"
	ok "polled ring completed >= 10000 requests" \
		test $((done_after - done_before)) -ge 10000
	ok "polled ring's interrupt count rose by at most 1" \
		test $((irq_after - irq_before)) -le 1
	# Responses take far longer than poll_yield_us here: polls yield.
	ok "polled ring: empty polls yielded the vCPU to Xen ($yields_before -> $yields_after)" \
		test $((yields_after - yields_before)) -gt 0
fi

if [ "$fe" = vbmq ]; then
	# vCPU hotplug: ring 1 serves vCPU 2 only; its IRQ leaves vCPU 2
	# while it is offline and comes back when it is online again.
	irq=$(fe_ring_stat 1 irq)
	note "ring 1: IRQ $irq on vCPU(s) $(cat "/proc/irq/$irq/effective_affinity_list")"
	step "vCPU 2 goes offline" 60 sh -c 'echo 0 > /sys/devices/system/cpu/cpu2/online'
	note "ring 1: IRQ on vCPU(s) $(cat "/proc/irq/$irq/effective_affinity_list") with vCPU 2 offline"
	ok "ring 1's IRQ left vCPU 2" \
		test "$(cat "/proc/irq/$irq/effective_affinity_list")" != 2
	step "I/O with vCPU 2 offline" 60 \
		dd if=/dev/xvda of=/dev/null bs=64k count=256 iflag=direct
	step "vCPU 2 comes back" 60 sh -c 'echo 1 > /sys/devices/system/cpu/cpu2/online'
	is "ring 1's IRQ is back on vCPU 2" \
		"$(cat "/proc/irq/$irq/effective_affinity_list")" 2
	fe_rings | diag_file /dev/stdin
fi
