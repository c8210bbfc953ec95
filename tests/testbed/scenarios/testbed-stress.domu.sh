# domU half of testbed-stress: fio random I/O on xvda while the shell spawns
# short processes; then count crashes in this kernel's log.
ok "/dev/xvda appears" wait_for 30 test -b /dev/xvda
timeout -s KILL 120 fio --name=load --filename=/dev/xvda --ioengine=libaio --direct=1 --rw=randrw \
	--bs=4k --iodepth=16 --numjobs=2 --time_based --runtime=60 --size=256m \
	--group_reporting=1 --eta=never --output=/tmp/fio.out &
fio_pid=$!
spawned=0
end=$((SECONDS + 60))	# fio's runtime (kill -0 would also see fio as a zombie)
while [ $SECONDS -lt $end ]; do
	spawn_burst
	spawned=$((spawned + SPAWN_BURST))
done
wait "$fio_pid"
is "fio under the process load exits 0 (137: killed after 120 s)" "$?" 0
note "domU spawned $spawned processes"
no_user_crash "no user process crashed in the domU"
