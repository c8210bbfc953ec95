# summary: vbmq-blkback polling: event-channel interrupts per request with poll=always vs off under fio, idle polls yield the vCPU, adaptive threads sleep when idle; its tracepoints fire
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=300

. /vbmq/scenarios/vbmq-blkback.lib

# irqs: interrupts of this disk's ring event channels, all CPUs, from
# dom0's /proc/interrupts (not the module's own counters)
irqs() {
	awk -v pat="vbmq$domid.xvda-" '
		index($0, pat) { for (i = 2; i <= NF; i++) if ($i ~ /^[0-9]+$/) s += $i }
		END { print s + 0 }' /proc/interrupts
}

# reqs: requests served by both rings
reqs() {
	local r s=0
	for r in 0 1; do
		s=$((s + $(ring_field $r rd_req) + $(ring_field $r wr_req)))
	done
	echo "$s"
}

# measure MODE: interrupts and requests over 8 s of load in poll MODE
measure() {
	local i0 r0 i1 r1
	xenstore-write "$be/vbmq/poll" "$1"
	wait_for 10 ring_is 1 poll "$1" || return 1
	sleep 3
	i0=$(irqs) r0=$(reqs)
	sleep 8
	i1=$(irqs) r1=$(reqs)
	echo "$((i1 - i0)) $((r1 - r0))"
}

# all_asleep: every ring thread of the disk is in state S
all_asleep() {
	local pid comm
	while read -r pid comm; do
		[ "$(awk '{ print $3 }' "/proc/$pid/stat")" = S ] || return 1
	done < <(threads_named "vbmq$domid.xvda-*")
}

step "null_blk backing device" 30 nullb_setup
step "vbmq-blkback loads (poll=off)" 30 backend_use vbmq poll=off
# armed now, while no ring thread runs; recorded in the adaptive part below
ok "vbmq_blkback events armed" trace_arm vbmq_blkback 512
step "domU with 2 vCPUs is created" 60 domu_start pl vcpus=2 frontend=upstream
ok "xvda connects" wait_for 60 vbd_connected pl
domid=$(xl domid pl)
be=$(be_dir pl)
ok "the guest's fio load runs" domu_wait_signal pl loading 120

read -r i_off r_off <<<"$(measure off)"
note "poll=off: $i_off interrupts for $r_off requests"
# always on both rings, both threads on CPU 1: CPU 0 stays for dom0
xenstore-write "$be/vbmq/cpus" 1
y0=$(($(ring_field 0 poll_yields) + $(ring_field 1 poll_yields)))
read -r i_al r_al <<<"$(measure always)"
y1=$(($(ring_field 0 poll_yields) + $(ring_field 1 poll_yields)))
note "poll=always: $i_al interrupts for $r_al requests, $((y1 - y0)) vCPU yields"
for r in 0 1; do diag_dir "$(ringdir $r)"; done
ok "requests were served in both modes" test "${r_off:-0}" -gt 100 -a "${r_al:-0}" -gt 100
ok "poll=always: at most 1 interrupt per 1000 requests" \
	test $((${i_al:-1} * 1000)) -le "${r_al:-0}"
ok "poll=always: at most 1/100 of poll=off's interrupts per request" \
	test $((${i_al:-1} * ${r_off:-0} * 100)) -le $((${i_off:-0} * ${r_al:-0}))
# The guest leaves gaps of milliseconds here: polling threads yield.
ok "poll=always: idle polling yields the vCPU to Xen (poll_yield_us)" \
	test $((y1 - y0)) -gt 0

# Adaptive, with vbmq_blkback's tracepoints recorded through tracefs: the
# poll window starts, adapts and gives up, the threads sleep and wake, the
# guest is notified (or not) and requests complete.  poll-max-us 10000 lets
# the window grow over the test bed's long gaps.
xenstore-write "$be/vbmq/cpus" ""
xenstore-write "$be/vbmq/poll-max-us" 10000
ok "vbmq_blkback events recording" trace_record
xenstore-write "$be/vbmq/poll" adaptive
ok "poll=adaptive applied" wait_for 10 ring_is 0 poll adaptive
sleep 5
domu_signal pl stop
ok "the guest stopped its load" domu_wait_signal pl stopped 60
ok "adaptive: ring threads asleep (state S) once the load stops" wait_for 1 all_asleep
# dom0 learns of the stop only through xenstore, so the 50 ms are the
# backend's own measure: idle time before each thread's last sleep.
for r in 0 1; do
	ok "adaptive: ring $r went to sleep within 50 ms of its last request" \
		test "$(ring_field $r idle_to_sleep_ns)" -le 50000000
done
sleep 1	# ring 0 wakes once a second
trace_stop vbmq_blkback /tmp/be.trace
xenstore-rm "$be/vbmq/poll-max-us"
grep -m 3 -E ' vbmq_be_poll_(adapt|give_up): ' /tmp/be.trace | diag_file /dev/stdin
for ev in poll_start poll_adapt poll_give_up sleep wake notify complete; do
	ok "tracepoint vbmq_be_$ev fired" \
		test "$(trace_count "vbmq_be_$ev" /tmp/be.trace)" -gt 0
done
threads_named "vbmq$domid.xvda-*" | while read -r pid comm; do
	note "$comm: $(awk '{ print $3 }' "/proc/$pid/stat")"
done
for r in 0 1; do diag_dir "$(ringdir $r)"; done

# Switching a sleeping ring to poll=always wakes its thread without a kick;
# the thread disarms req_event, so the frontend's next requests raise no
# interrupt at all (an armed event would cost one per ring).
i0=$(irqs) r0=$(reqs)
xenstore-write "$be/vbmq/poll" always
ok "poll=always applied to the idle disk" wait_for 10 ring_is 1 poll always
sleep 1
domu_signal pl burst
ok "the guest ran its burst" domu_wait_signal pl burst-done 60
i1=$(irqs) r1=$(reqs)
note "poll=always from an idle disk: $((i1 - i0)) interrupts for $((r1 - r0)) requests"
ok "poll=always: the burst was served" test $((r1 - r0)) -gt 100
is "poll=always: no interrupt from the switch on" $((i1 - i0)) 0
xenstore-write "$be/vbmq/poll" adaptive
domu_signal pl done
domu_wait pl 120
