# summary: host-built modules load and unload cleanly in dom0
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=60

for ko in /vbmq/modules/*.ko; do
	m=$(basename "$ko" .ko)
	note "$(modinfo "$ko" | grep -E '^(vermagic|name|description):' | tr '\n' ' ')"
	is "$m was built for the running kernel" \
		"$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" "$(uname -r)"
	# A frontend does not bind in dom0 (no vbd frontends there) but loads.
	unload_module xen-blkback
	step "$m loads" 30 insmod "$ko"
	ok "$m is listed in /proc/modules" grep -q "^${m//-/_} " /proc/modules
	step "$m unloads" 30 rmmod "$m"
	ok "$m is gone from /proc/modules" sh -c "! grep -q '^${m//-/_} ' /proc/modules"
done
