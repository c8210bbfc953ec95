# summary: xl-vbmq set switches poll mode and cpus, and unset puts the module defaults back (threads unbound, poll=off, poll-max-us=40), while the guest runs fio with verify: every command succeeds, threads move, no error
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=150
. /vbmq/scenarios/xl-vbmq.lib

step "null_blk backing device" 30 nullb_setup
# module defaults that differ from the built-in ones, so unset shows
step "vbmq-blkback loads (poll=off poll_max_us=40)" 30 backend_use vbmq poll=off poll_max_us=40
possible=$(cat /sys/devices/system/cpu/possible)
step "domU with 2 vCPUs" 60 domu_start sl vcpus=2
ok "xvda connects" wait_for 60 vbd_connected sl
domid=$(xl domid sl)
be=$(be_dir sl)
done_key=/local/domain/$domid/data/vbmq/fio-done

domu_signal sl go
ok "guest fio started" domu_wait_signal sl fio-started 60
# defaults DOMID: every ring runs with the module's poll=off and
# poll_max_us=40 and is bound to no CPU
defaults() {
	local r
	for r in 0 1; do
		[ "$(xlv_ring_field "$1" "$r" poll)" = off ] &&
		[ "$(xlv_ring_field "$1" "$r" poll_max_us)" = 40 ] &&
		[ "$(xlv_ring_field "$1" "$r" cpu)" = -1 ] || return 1
	done
}

sets=0 bad_set=0 bad_move=0 unsets=0 bad_unset=0
plan=("poll=always cpus=0 poll-max-us=20" "unset" "poll=off cpus=1" "poll=adaptive cpus=0"
      "unset" "poll=always cpus=1" "poll=off cpus=0" "poll=adaptive cpus=1")
i=0
while ! xenstore-read "$done_key" >/dev/null 2>&1 && [ "$sets" -lt 60 ]; do
	p=${plan[i % ${#plan[@]}]}
	i=$((i + 1))
	sets=$((sets + 1))
	if [ "$p" = unset ]; then
		if ! out=$(xl-vbmq unset sl xvda poll cpus poll-max-us 2>&1); then
			bad_unset=$((bad_unset + 1))
			note "xl-vbmq unset sl xvda poll cpus poll-max-us failed: $out"
		elif ! wait_for 10 defaults "$domid" ||
		     ! wait_for 10 xlv_threads_on "$possible" "$domid"; then
			bad_unset=$((bad_unset + 1))
			note "rings not back to the defaults after unset: $(dir_values "$(xlv_ringdir "$domid" 0)" | tr '\n' ' ')"
		fi
		# what show says about the defaults, once, under load
		[ "$unsets" -eq 0 ] && xl-vbmq show sl xvda > /tmp/unset-show.out 2>&1
		unsets=$((unsets + 1))
		sleep 0.5
		continue
	fi
	# shellcheck disable=SC2086
	if ! out=$(xl-vbmq set sl xvda $p 2>&1); then
		bad_set=$((bad_set + 1))
		note "xl-vbmq set sl xvda $p failed: $out"
	fi
	cpu=${p#*cpus=}
	cpu=${cpu%% *}
	if ! wait_for 10 xlv_threads_on "$cpu" "$domid"; then
		bad_move=$((bad_move + 1))
		note "threads did not move to CPU $cpu after $p"
	fi
	sleep 0.5
done
note "$sets settings applied while fio ran, $unsets of them unset"
ok "at least 3 settings applied while fio ran" test "$sets" -ge 3
ok "at least one unset while fio ran" test "$unsets" -ge 1
is "every xl-vbmq set succeeded" "$bad_set" 0
is "ring threads moved to the CPU of every setting" "$bad_move" 0
is "every unset put the module defaults back (poll off, 40 us, threads unbound)" "$bad_unset" 0
diag_file /tmp/unset-show.out
ok "show after unset: poll is the module default" \
	grep -qE '^  vbmq/poll +\(not set, default off\)$' /tmp/unset-show.out
ok "show after unset: cpus unpinned" \
	grep -qE '^  vbmq/cpus +\(not set, default unpinned\)$' /tmp/unset-show.out
ok "show after unset: poll-max-us is the module default" \
	grep -qE '^  vbmq/poll-max-us +\(not set, default 40\)$' /tmp/unset-show.out
ok "show after unset: ring threads on any CPU, poll off" \
	grep -qE "^  ring1: +thread .* cpu any allowed $possible poll off poll-max-us 40 " /tmp/unset-show.out
want=$(xenstore-read "$be/vbmq/poll" 2>/dev/null || echo off)
ok "poll mode of the last setting in effect" \
	test "$(xlv_ring_field "$domid" 0 poll)" = "$want"
ok "no backend error node" sh -c "! xenstore-read '$be/vbmq/error' >/dev/null 2>&1"
xl-vbmq show sl xvda 2>&1 | diag_file /dev/stdin
domu_signal sl done
domu_wait sl 200
