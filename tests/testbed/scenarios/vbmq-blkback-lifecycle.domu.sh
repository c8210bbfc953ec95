# domU half of vbmq-blkback-lifecycle: fio on xvda until destroyed; xvdb
# stays closed so that it can be detached while xvda is loaded.
ok "/dev/xvda appears" wait_for 30 test -b /dev/xvda
ok "/dev/xvdb appears" wait_for 30 test -b /dev/xvdb
fio --name=load --filename=/dev/xvda --ioengine=libaio --direct=1 \
	--rw=randrw --bs=4k --iodepth=8 --size=128m --time_based \
	--runtime=300 >/dev/null 2>&1 &
sleep 2
signal loading
sleep 300
