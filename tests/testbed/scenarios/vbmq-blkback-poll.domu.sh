# domU half of vbmq-blkback-poll: a steady fio load until dom0 says stop.
ok "/dev/xvda appears" wait_for 30 test -b /dev/xvda
fio --name=load --filename=/dev/xvda --ioengine=libaio --direct=1 \
	--rw=randrw --bs=4k --iodepth=16 --numjobs=2 --size=256m \
	--time_based --runtime=300 --group_reporting >/tmp/fio.log 2>&1 &
fio_pid=$!
sleep 2
signal loading
wait_signal stop 300 >/dev/null
kill -INT "$fio_pid"
wait "$fio_pid"
signal stopped
diag_file /tmp/fio.log
ok "fio saw no I/O error" sh -c '! grep -Eq "err= *[1-9]" /tmp/fio.log'
# dom0 switched the idle disk to poll=always: a short burst
wait_signal burst 120 >/dev/null
ok "fio burst after the switch to poll=always" fio --name=burst \
	--filename=/dev/xvda --ioengine=libaio --direct=1 --rw=randread \
	--bs=4k --iodepth=8 --numjobs=2 --size=64m --time_based --runtime=3 \
	--group_reporting --output=/tmp/burst.log
signal burst-done
wait_signal done 120 >/dev/null
