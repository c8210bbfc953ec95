# summary: plain xl create with script=block-vbmq applies /etc/xen/vbmq.conf (queues=2, cpus=1, poll=adaptive), served by the vbmq-blkback that udev's alias request loads (make install's modprobe.d); the settings survive xl save/restore and xl reboot; a bad line fails the attach with the reason
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=300
. /vbmq/scenarios/xl-vbmq.lib

step "null_blk backing device" 30 nullb_setup
# No backend loaded; the disk's backend device asks udev for its driver by
# alias, as on a host, and make install's modprobe.d file picks vbmq-blkback.
no_backend() {
	unload_module xen-blkback && unload_module vbmq-blkback &&
		unload_module vbmq-testback
}
step "no vbd backend loaded" 30 no_backend
step "modprobe xen-backend:vbd (what udev runs for a vbd backend)" 30 modprobe xen-backend:vbd
cat > /etc/xen/vbmq.conf <<'CONF'
# DOMAIN VDEV: key=value, ...
*    xvda: poll=always
hp   xvda: queues=2, cpus=1, poll=adaptive
hp   xvdb: queues=1
hpbad xvda: poll=fast
CONF

# A bad value: xl create fails, saying why; no domain is left.
xlv_cfg hpbad vcpus=2 disk='phy:/dev/nullb0,xvda,w,script=block-vbmq'
xl create /run/hpbad.cfg > /tmp/bad.out 2>&1
rc=$?
diag_file /tmp/bad.out
ok "xl create with a bad vbmq.conf line fails" test "$rc" -ne 0
ok "the hotplug error names the key and the allowed values" \
	grep -q 'vbmq/poll: "fast" is invalid (allowed: off, adaptive, always)' /tmp/bad.out
ok "no domain hpbad is left" wait_for 20 domu_gone hpbad

step "xl create with disk script=block-vbmq" 90 \
	domu_start hp vcpus=2 disk='phy:/dev/nullb0,xvda,w,script=block-vbmq'
# settings_kept WHEN: the disk as vbmq.conf says, on the domain hp is now
settings_kept() {
	local when=$1 domid be fe
	domid=$(xl domid hp)
	be=$(be_dir hp)
	fe=$(fe_dir hp)
	ok "$when: xvda connects" wait_for 60 vbd_connected hp
	xenstore-ls -f "$be" 2>&1 | diag_file /dev/stdin
	is "$when: hotplug-status connected" "$(xenstore-read "$be/hotplug-status")" connected
	is "$when: vbmq/queues from vbmq.conf" "$(xenstore-read "$be/vbmq/queues")" 2
	is "$when: vbmq/cpus from vbmq.conf" "$(xenstore-read "$be/vbmq/cpus")" 1
	is "$when: the domain's line wins over '*' (vbmq/poll)" \
		"$(xenstore-read "$be/vbmq/poll")" adaptive
	is "$when: 2 rings negotiated" "$(xenstore-read "$fe/multi-queue-num-queues")" 2
	is "$when: one ring thread per ring" "$(threads_named "vbmq$domid.xvda-*" | wc -l)" 2
	ok "$when: ring threads run on CPU 1 only" wait_for 20 xlv_threads_on 1 "$domid"
	is "$when: ring 1 polls adaptively" "$(xlv_ring_field "$domid" 1 poll)" adaptive
}

be=$(be_dir hp)
settings_kept "xl create"
is "the standard block script's work: physical-device written" \
	"$(xenstore-read "$be/physical-device" | tr -d '\n' | grep -c :)" 1
xl-vbmq show hp xvda > /tmp/show.out 2>&1
diag_file /tmp/show.out
ok "xl-vbmq show names the backend driver: vbmq-blkback" \
	grep -q '^  driver:   vbmq-blkback$' /tmp/show.out
ok "xen-blkback stayed unloaded" sh -c "! grep -q '^xen_blkback ' /proc/modules"

# The settings follow the domain: xl restore and xl reboot create the disk's
# backend again, and block-vbmq applies vbmq.conf to it again.  The save
# image (~ the domU's memory) goes to a tmpfs of its own.
step "tmpfs for the save image" 10 sh -c 'mkdir -p /save && mount -t tmpfs -o size=400m tmpfs /save'
step "xl save hp" 240 xl save hp /save/hp.save
step "xl restore hp" 240 xl restore /save/hp.save
rm -f /save/hp.save
umount /save
settings_kept "after xl restore"
old=$(xl domid hp)
step "xl reboot hp" 30 xl reboot hp
ok "hp comes back as a new domain" wait_for 120 \
	sh -c "d=\$(xl domid hp 2>/dev/null) && [ \"\$d\" != $old ]"
settings_kept "after xl reboot"
be=$(be_dir hp)
domu_signal hp done
domu_wait hp 240
ok "the disk's backend is gone after the domain (block remove ran)" \
	wait_for 20 sh -c "! xenstore-read '$be/state' >/dev/null 2>&1"
rm -f /etc/xen/vbmq.conf
