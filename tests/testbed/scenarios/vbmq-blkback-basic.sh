# summary: vbmq-blkback serves in-tree blkfront: 2 rings, fio verify while pinning and poll modes change live, bad vbmq/ values refused
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=300

. /vbmq/scenarios/vbmq-blkback.lib
# pg_used: some ring keeps grants mapped and has moved data through them
pg_used() {
	local r
	for r in 0 1; do
		[ "$(ring_field $r pg_mapped)" -gt 0 ] &&
			[ "$(ring_field $r pg_hits)" -gt 0 ] && return 0
	done
	return 1
}

# threads_on CPU: every ring thread of the domain allows exactly CPU
threads_on() {
	local pid comm n=0
	while read -r pid comm; do
		[ "$(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' "/proc/$pid/status")" = "$1" ] ||
			return 1
		n=$((n + 1))
	done < <(threads_named "vbmq$domid.xvda-*")
	[ "$n" -gt 0 ]
}

error_names() { xenstore-read "$be/vbmq/error" 2>/dev/null | grep -q "vbmq/$1"; }
no_error() { ! xenstore-read "$be/vbmq/error" >/dev/null 2>&1; }

# key_refused KEY VALUE GOOD: VALUE is refused with a message naming KEY in
# vbmq/error, then GOOD is written back and the error goes away
key_refused() {
	xenstore-write -- "$be/vbmq/$1" "$2" &&
		wait_for 10 error_names "$1" &&
		xenstore-write -- "$be/vbmq/$1" "$3" &&
		wait_for 10 no_error
}

step "null_blk backing device (write cache, discard)" 30 nullb_setup cache_size=64 discard=1
step "vbmq-blkback loads" 30 backend_use vbmq
step "domU with 2 vCPUs is created" 60 domu_start bb vcpus=2 frontend=upstream
ok "xvda connects (backend and frontend state 4)" wait_for 60 vbd_connected bb

domid=$(xl domid bb)
be=$(be_dir bb)
fe=$(fe_dir bb)
# The guest starts fio at once; everything below runs under its load.
domu_signal bb go
xenstore-ls -f "$be" "$fe" 2>&1 | diag_file /dev/stdin
is "backend offers multi-queue-max-queues 2" \
	"$(xenstore-read "$be/multi-queue-max-queues")" 2
is "frontend chose multi-queue-num-queues 2" \
	"$(xenstore-read "$fe/multi-queue-num-queues")" 2
is "backend offers 256 indirect segments" \
	"$(xenstore-read "$be/feature-max-indirect-segments")" 256
is "backend offers flush (null_blk has a write cache)" \
	"$(xenstore-read "$be/feature-flush-cache")" 1
is "backend offers discard" "$(xenstore-read "$be/feature-discard")" 1
is "one vbmq thread per ring" "$(threads_named "vbmq$domid.xvda-*" | wc -l)" 2
ok "debugfs has ring0 and ring1, no ring2" \
	test -r "$(ringdir 1)/kicks" -a ! -e "$(ringdir 2)"
is "ring 0 polls adaptively by default" "$(ring_field 0 poll)" adaptive
is "backend offers feature-persistent" "$(xenstore-read "$be/feature-persistent")" 1
is "the in-tree frontend asks for it" "$(xenstore-read "$fe/feature-persistent")" 1
is "ring 0 uses persistent grants" "$(ring_field 0 persistent)" 1
is "ring 0's bound is the default 1056" "$(ring_field 0 pg_bound)" 1056
ok "under fio, grants are mapped persistently and data moves through them" \
	wait_for 60 pg_used

xenstore-write "$be/vbmq/cpus" 1
ok "vbmq/cpus=1 pins both ring threads to CPU 1" wait_for 10 threads_on 1
xenstore-write "$be/vbmq/cpus" 0-1
ok "vbmq/cpus=0-1: ring 0 on CPU 0" wait_for 10 ring_is 0 cpu 0
ok "vbmq/cpus=0-1: ring 1 on CPU 1" wait_for 10 ring_is 1 cpu 1
xenstore-write "$be/vbmq/poll" off
ok "vbmq/poll=off applied live" wait_for 10 ring_is 1 poll off

ok "vbmq/poll=fast refused, message names the key" key_refused poll fast off
is "poll stays off" "$(ring_field 1 poll)" off
ok "vbmq/cpus=abc refused" key_refused cpus abc 0-1
ok "vbmq/cpus=7 (no such CPU) refused" key_refused cpus 7 0-1
is "ring 1 stays on CPU 1" "$(ring_field 1 cpu)" 1
ok "vbmq/poll-max-us=-1 refused" key_refused poll-max-us -1 64
ok "vbmq/queues=99 refused" key_refused queues 99 2
ok "poll-max-us=64 applied" wait_for 10 ring_is 0 poll_max_us 64
dmesg | grep -E 'vbmq|vbd' | tail -n 20 | diag_file /dev/stdin

# Modes under load: adaptive on both CPUs, then always with both rings on
# CPU 1 (CPU 0 stays for dom0's own work), then adaptive unpinned.
xenstore-write "$be/vbmq/poll" adaptive
sleep 5
xenstore-write "$be/vbmq/cpus" 1
xenstore-write "$be/vbmq/poll" always
ok "vbmq/poll=always applied live" wait_for 10 ring_is 0 poll always
sleep 5
xenstore-write "$be/vbmq/poll" off
sleep 5
xenstore-write "$be/vbmq/poll" adaptive
xenstore-write "$be/vbmq/cpus" ""
ok "vbmq/cpus empty: threads unbound" wait_for 10 ring_is 0 cpu -1
for r in 0 1; do diag_dir "$(ringdir $r)"; done
diag_file /proc/interrupts
domu_signal bb dom0-done

domu_wait bb 780
log=/var/log/xen/console/guest-bb.log
want=$(sed -n 's/.*pattern md5=\([0-9a-f]*\) offset=\([0-9]*\) bytes=\([0-9]*\).*/\1 \2 \3/p' "$log" | tail -n1)
read -r md5 offset bytes <<<"$want"
got=$(dd if=/dev/nullb0 bs=1M skip=$((offset / 1048576)) count=$((bytes / 1048576)) \
	iflag=direct 2>/dev/null | md5sum | cut -d' ' -f1)
is "dom0 reads from null_blk the bytes the guest wrote" "$got" "${md5:-none}"
ok "no ring thread is left" wait_for 10 no_ring_threads
step "vbmq-blkback unloads once no disk is left" 30 rmmod vbmq-blkback
