# domU half of the benchmark: run the fio jobs dom0 hands out one by one
# through data/vbmq/job-N ("ID RW QD JOBS ENGINE", or "end"), and tell dom0
# data/vbmq/done-N after each.  Results leave as @@BENCH lines (bench.lib).
. /vbmq/scenarios/bench.lib
# VBMQ_ARGS: "RUNTIME RAMP SIZE"
read -r rt ramp size <<<"$VBMQ_ARGS"
ok "/dev/xvda appears" wait_for 30 test -b /dev/xvda
signal ready "$(nproc)"
n=0
while job=$(bench_wait "data/vbmq/job-$n" 900); do
	[ "$job" = end ] && break
	read -r id rw qd jobs engine <<<"$job"
	rings0=$(tr ' \n' ':,' < /sys/block/xvda/vbmq/rings 2>/dev/null)
	bench_fio "$id" /dev/xvda "$rw" "$qd" "$jobs" "$engine" "$rt" "$ramp" \
		"$size" 'blkif|xvd' domu
	[ -r /sys/block/xvda/vbmq/rings ] &&
		bench G "$id" fe_rings0="$rings0" fe_rings1="$(tr ' \n' ':,' < /sys/block/xvda/vbmq/rings)"
	bench G "$id" iops_hint="${BENCH_LAST_IOPS:-0}" done=1
	signal "done-$n" "${BENCH_LAST_IOPS:-0}"
	BENCH_LAST_IOPS=
	n=$((n + 1))
done
