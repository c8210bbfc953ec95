# domU half of vbmq-blkfront-saverestore: fio write+verify across each save.
ok "/dev/xvda appears" wait_for 30 test -b /dev/xvda

# sr_fio NAME OFFSET_MiB: time-based random writes verified as they go,
# for 40 s: the save and the restore take about 10 s here, so fio verifies
# some 25 s of I/O after the restore.
sr_fio() {
	fio --name="$1" --filename=/dev/xvda --ioengine=libaio --direct=1 \
		--rw=randwrite --bs=4k --bssplit=4k/50:64k/30:1m/20 --iodepth=8 \
		--numjobs=2 --size=32m --offset="$2"m --offset_increment=64m \
		--time_based=1 --runtime=40 --verify=crc32c --verify_backlog=32 \
		--verify_fatal=1 --verify_state_save=0 --group_reporting=1 \
		> "/tmp/$1.out" 2>&1
}

sr_fio sr1 0 &
pid=$!
sleep 5
signal fio-running
ok "restored" wait_signal restored 600
fe_rings | diag_file /dev/stdin
wait "$pid"
rc=$?
diag_file /tmp/sr1.out
is "fio verify across save/restore exits 0" "$rc" 0

sr_fio sr2 300 &
pid=$!
sleep 5
signal fio2-running
ok "restored again" wait_signal restored2 600
is "1 ring after the second restore" "$(cat /sys/block/xvda/vbmq/nr_rings)" 1
is "1 hardware queue" "$(ls /sys/block/xvda/mq | wc -l)" 1
wait "$pid"
rc=$?
diag_file /tmp/sr2.out
is "fio verify across save/restore with fewer rings exits 0" "$rc" 0

sr_fio sr3 600 &
pid=$!
sleep 5
signal fio3-running
ok "restored onto vbmq-blkback" wait_signal restored3 600
is "2 rings on vbmq-blkback" "$(cat /sys/block/xvda/vbmq/nr_rings)" 2
is "2 hardware queues" "$(ls /sys/block/xvda/mq | wc -l)" 2
wait "$pid"
rc=$?
diag_file /tmp/sr3.out
is "fio verify across save/restore onto vbmq-blkback exits 0" "$rc" 0
fe_rings | diag_file /dev/stdin
held=$(dmesg | sed -n 's/.* \([0-9]*\) request(s) held over the resume.*/\1/p' |
	awk '{ s += $1 } END { print s + 0 }')
note "requests in flight at a save, requeued at the restore: $held"
ok "some requests were in flight at a save and requeued" test "$held" -gt 0
is "disk state connected" "$(cat /sys/block/xvda/vbmq/state)" connected
