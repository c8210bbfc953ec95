# summary: plain xl create with script=vbmq applies /etc/xen/vbmq.conf (queues=2, cpus=1, poll=adaptive); a bad line fails the attach with the reason
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=120
. /vbmq/scenarios/xl-vbmq.lib

step "null_blk backing device" 30 nullb_setup
step "vbmq-blkback loads" 30 backend_use vbmq
cat > /etc/xen/vbmq.conf <<'CONF'
# DOMAIN VDEV: key=value, ...
*    xvda: poll=always
hp   xvda: queues=2, cpus=1, poll=adaptive
hp   xvdb: queues=1
hpbad xvda: poll=fast
CONF

# A bad value: xl create fails, saying why; no domain is left.
xlv_cfg hpbad vcpus=2 disk='phy:/dev/nullb0,xvda,w,script=vbmq'
xl create /run/hpbad.cfg > /tmp/bad.out 2>&1
rc=$?
diag_file /tmp/bad.out
ok "xl create with a bad vbmq.conf line fails" test "$rc" -ne 0
ok "the hotplug error names the key and the allowed values" \
	grep -q 'vbmq/poll: "fast" is invalid (allowed: off, adaptive, always)' /tmp/bad.out
ok "no domain hpbad is left" wait_for 20 domu_gone hpbad

step "xl create with disk script=vbmq" 90 \
	domu_start hp vcpus=2 disk='phy:/dev/nullb0,xvda,w,script=vbmq'
domid=$(xl domid hp)
be=$(be_dir hp)
fe=$(fe_dir hp)
ok "xvda connects" wait_for 60 vbd_connected hp
xenstore-ls -f "$be" 2>&1 | diag_file /dev/stdin
is "the standard block script's work: physical-device written" \
	"$(xenstore-read "$be/physical-device" | tr -d '\n' | grep -c :)" 1
is "hotplug-status connected" "$(xenstore-read "$be/hotplug-status")" connected
is "vbmq/queues from vbmq.conf" "$(xenstore-read "$be/vbmq/queues")" 2
is "vbmq/cpus from vbmq.conf" "$(xenstore-read "$be/vbmq/cpus")" 1
is "the domain's line wins over '*' (vbmq/poll)" "$(xenstore-read "$be/vbmq/poll")" adaptive
is "2 rings negotiated" "$(xenstore-read "$fe/multi-queue-num-queues")" 2
is "one ring thread per ring" "$(threads_named "vbmq$domid.xvda-*" | wc -l)" 2
ok "ring threads run on CPU 1 only" xlv_wait 20 xlv_threads_on 1 "$domid"
is "ring 1 polls adaptively" "$(xlv_ring_field "$domid" 1 poll)" adaptive
domu_signal hp done
domu_wait hp 120
ok "the disk's backend is gone after the domain (block remove ran)" \
	wait_for 20 sh -c "! xenstore-read '$be/state' >/dev/null 2>&1"
rm -f /etc/xen/vbmq.conf
