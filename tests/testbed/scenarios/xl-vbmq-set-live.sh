# summary: xl-vbmq set switches poll mode and cpus while the guest runs fio with verify: every set succeeds, threads move, no error
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=300
. /vbmq/scenarios/xl-vbmq.lib

step "null_blk backing device" 30 nullb_setup
step "vbmq-blkback loads" 30 backend_use vbmq
step "domU with 2 vCPUs" 60 domu_start sl vcpus=2
ok "xvda connects" wait_for 60 vbd_connected sl
domid=$(xl domid sl)
be=$(be_dir sl)
done_key=/local/domain/$domid/data/vbmq/fio-done

domu_signal sl go
ok "guest fio started" domu_wait_signal sl fio-started 60
sets=0 bad_set=0 bad_move=0
plan=("poll=always cpus=0" "poll=off cpus=1" "poll=adaptive cpus=0" "poll=always cpus=1"
      "poll=off cpus=0" "poll=adaptive cpus=1")
i=0
while ! xenstore-read "$done_key" >/dev/null 2>&1 && [ "$sets" -lt 60 ]; do
	p=${plan[i % ${#plan[@]}]}
	i=$((i + 1))
	# shellcheck disable=SC2086
	if ! out=$(xl-vbmq set sl xvda $p 2>&1); then
		bad_set=$((bad_set + 1))
		note "xl-vbmq set sl xvda $p failed: $out"
	fi
	cpu=${p##*cpus=}
	if ! xlv_wait 10 xlv_threads_on "$cpu" "$domid"; then
		bad_move=$((bad_move + 1))
		note "threads did not move to CPU $cpu after $p"
	fi
	sets=$((sets + 1))
	sleep 0.5
done
note "$sets settings applied while fio ran"
ok "at least 3 settings applied while fio ran" test "$sets" -ge 3
is "every xl-vbmq set succeeded" "$bad_set" 0
is "ring threads moved to the CPU of every setting" "$bad_move" 0
ok "poll mode of the last setting in effect" \
	test "$(xlv_ring_field "$domid" 0 poll)" = "$(xenstore-read "$be/vbmq/poll")"
ok "no backend error node" sh -c "! xenstore-read '$be/vbmq/error' >/dev/null 2>&1"
xl-vbmq show sl xvda 2>&1 | diag_file /dev/stdin
domu_signal sl done
domu_wait sl 200
