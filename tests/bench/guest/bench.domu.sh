# domU half of the benchmark: run the jobs dom0 hands out one by one through
# data/vbmq/job-N, and tell dom0 data/vbmq/done-N after each:
#   ID RW QD JOBS ENGINE DEV   one fio run; DEV is xvda (the Xen path under
#                              test) or local: the domu-local target, fio on
#                              a null_blk inside this domU (no Xen I/O path:
#                              the ceiling of any PV block path in this
#                              domU), created at its first run
#   ID evtchn-rtt COUNT - - -  the echo side of an event-channel round trip
#   ID frontend MODULE PARAMS  swap the blkif frontend while dom0 has the
#                              disk detached (PARAMS: P=V words joined by
#                              '+', or '-'): every Xen target runs in this
#                              one domU, the drivers swapped on both sides
#   end
# Results leave as @@BENCH lines (bench.lib).
. /vbmq/scenarios/bench.lib
# VBMQ_ARGS: "RUNTIME RAMP SIZE"
read -r rt ramp size <<<"$VBMQ_ARGS"
# The domU starts with no disk: dom0 attaches it with each target's drivers.
signal ready "$(nproc)"

# local_setup: /dev/nullb0 as dom0's backing device, SIZE written once so
# reads hit allocated pages (as dom0's prefill does for bare)
local_setup() {
	# shellcheck disable=SC2086
	modprobe null_blk $BENCH_NULLB_PARAMS && wait_for 5 test -b /dev/nullb0 &&
		{ dd if=/dev/zero of=/dev/nullb0 bs=1M count="${size%m}" oflag=direct 2>/dev/null ||
		  dd if=/dev/zero of=/dev/nullb0 bs=1M count="${size%m}" conv=fsync; }
}
# rtt_echo N COUNT: the echo side of dom0's evtchn-rtt: a fresh port,
# published as data/vbmq/rtt-port-N, answering COUNT events
rtt_echo() {
	local f=$BENCH_TMP/rtt-port pid
	grep -q '^xen_evtchn ' /proc/modules || load_module xen-evtchn || return 1
	/vbmq/evtchn-rtt echo 0 "$2" > "$f" &
	pid=$!
	wait_for 10 test -s "$f" && signal "rtt-port-$1" "$(cat "$f")" || { kill "$pid"; return 1; }
	wait "$pid"
}
# frontend_use MODULE PARAMS: the only blkif frontend loaded (the disk is
# detached: neither module holds a device)
frontend_use() {
	local m
	for m in xen-blkfront vbmq-blkfront; do
		unload_module "$m" || return 1
	done
	# shellcheck disable=SC2086
	load_module "$1" $([ "$2" = - ] || echo "${2//+/ }")
}
# Context switches and wake-ups per request (bench_snap): the scheduler
# counts wake-ups only with schedstats on.
echo 1 > /proc/sys/kernel/sched_schedstats 2>/dev/null
local_ok=""
n=0
while job=$(bench_wait "data/vbmq/job-$n" 900); do
	[ "$job" = end ] && break
	read -r id rw qd jobs engine dev <<<"$job"
	if [ "$rw" = frontend ]; then
		step "$id: frontend $qd ${jobs//+/ } loads" 30 frontend_use "$qd" "$jobs"
		rc=$?
		bench G "$id" frontend="$qd" params="$jobs" rc=$rc
		signal "done-$n" 0
		n=$((n + 1))
		continue
	fi
	if [ "$rw" = evtchn-rtt ]; then
		rtt_echo "$n" "$qd" || note "$id: evtchn-rtt echo failed"
		signal "done-$n" 0
		n=$((n + 1))
		continue
	fi
	if [ "$dev" = local ]; then
		if [ -z "$local_ok" ]; then
			local_ok=0
			step "domU-local null_blk ($BENCH_NULLB_PARAMS), ${size} prefilled" 300 \
				local_setup && local_ok=1
		fi
		if [ "$local_ok" = 1 ]; then
			bench_fio "$id" /dev/nullb0 "$rw" "$qd" "$jobs" "$engine" "$rt" "$ramp" \
				"$size" '^$' domu-local
			bench G "$id" mem_avail_kb="$(awk '/MemAvailable/ { print $2 }' /proc/meminfo)" \
				nullb="$(for p in queue_mode submit_queues memory_backed irqmode hw_queue_depth bs; do printf '%s:%s,' $p "$(cat /sys/module/null_blk/parameters/$p 2>/dev/null)"; done)"
		else
			bench F "$id" "the domU-local null_blk could not be set up"
		fi
	elif ! wait_for 60 test -b /dev/xvda; then
		bench F "$id" "no /dev/xvda after the disk was attached"
	else
		rings0=$(fe_rings | tr ' \n' ':,')
		bench_fio "$id" /dev/xvda "$rw" "$qd" "$jobs" "$engine" "$rt" "$ramp" \
			"$size" 'blkif|xvd' domu
		[ -d /sys/kernel/debug/vbmq-blkfront/xvda ] &&
			bench G "$id" fe_rings0="$rings0" fe_rings1="$(fe_rings | tr ' \n' ':,')"
	fi
	bench G "$id" iops_hint="${BENCH_LAST_IOPS:-0}" done=1
	signal "done-$n" "${BENCH_LAST_IOPS:-0}"
	BENCH_LAST_IOPS=
	n=$((n + 1))
done
