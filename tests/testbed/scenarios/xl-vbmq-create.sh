# summary: xl-vbmq create (config with disk += [...]) applies vbmq = [ "xvda: queues=2, cpus=1, poll=adaptive" ] (xl ignores it): 2 rings on CPU 1; show and stats match the backend
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=120
. /vbmq/scenarios/xl-vbmq.lib

step "null_blk backing device" 30 nullb_setup
step "vbmq-blkback loads" 30 backend_use vbmq
# The disk comes by "+=", which xl's own parser (libxlutil, also xl-vbmq's)
# reads and a hand-written one refused.
xlv_cfg cr vcpus=2 disk=none
cat >> /run/cr.cfg <<'CFG'
disk += [ 'phy:/dev/nullb0,xvda,w' ]
vbmq = [ "xvda: queues=2, cpus=1, poll=adaptive" ]  # for xl-vbmq
CFG
diag_file /run/cr.cfg

# xl ignores settings it does not know: the dry run parses the file and
# says nothing about vbmq (it only prints the domain's libxl config).
xl create -n /run/cr.cfg > /tmp/xl-n.out 2>&1
is "xl create -n accepts a config with vbmq = [...]" "$?" 0
ok "xl warns about nothing and drops the vbmq setting" \
	sh -c '! grep -qiE "warn|unknown|queues=2" /tmp/xl-n.out'

step "xl-vbmq create /run/cr.cfg" 90 domu_boot cr xl-vbmq create /run/cr.cfg
domid=$(xl domid cr)
be=$(be_dir cr)
fe=$(fe_dir cr)
is "vbmq/queues written" "$(xenstore-read "$be/vbmq/queues")" 2
is "vbmq/cpus written" "$(xenstore-read "$be/vbmq/cpus")" 1
is "vbmq/poll written" "$(xenstore-read "$be/vbmq/poll")" adaptive
ok "xvda connects" wait_for 60 vbd_connected cr
xenstore-ls -f "$be" 2>&1 | diag_file /dev/stdin
is "backend offers 2 queues" "$(xenstore-read "$be/multi-queue-max-queues")" 2
is "2 rings negotiated" "$(xenstore-read "$fe/multi-queue-num-queues")" 2
is "one ring thread per ring" "$(threads_named "vbmq$domid.xvda-*" | wc -l)" 2
ok "ring threads run on CPU 1 only" wait_for 20 xlv_threads_on 1 "$domid"

xl-vbmq show cr xvda > /tmp/show.out 2>&1
is "xl-vbmq show exits 0" "$?" 0
diag_file /tmp/show.out
ok "show: 2 rings negotiated" grep -qE 'rings: +2 negotiated' /tmp/show.out
is "show: both rings on cpu 1, poll adaptive" \
	"$(grep -cE '^  ring[01]: .* cpu 1 allowed 1 poll adaptive ' /tmp/show.out)" 2
ok "show: no backend error" grep -qE '^  error: +none' /tmp/show.out
ok "show by domid and without VDEV lists xvda" \
	sh -c "xl-vbmq show $domid | grep -q '^xvda (51712) of domain cr'"
# The name-to-number rules (include/vbmq/vdev.h) are libxl's: xl numbers
# the disk alike.
xl block-list cr 2>&1 | diag_file /dev/stdin
is "xl block-list numbers xvda as xl-vbmq does" \
	"$(xl block-list cr 2>/dev/null | awk 'NR == 2 { print $1 }')" 51712

# stats against the backend's counters, once the guest's I/O is over
domu_signal cr io
ok "domU did its I/O" domu_wait_signal cr io-done 120
xl-vbmq stats cr xvda > /tmp/stats.out 2>&1
is "xl-vbmq stats exits 0" "$?" 0
diag_file /tmp/stats.out
for r in 0 1; do
	read -r _ _ cpu poll reqs _ kicks notify supp _ <<<"$(awk -v r="$r" '$1 == "xvda" && $2 == r' /tmp/stats.out)"
	is "stats ring $r: requests = backend's rd+wr+f+b+ds" "$reqs" "$(xlv_ring_reqs "$domid" "$r")"
	is "stats ring $r: kicks = backend's" "$kicks" "$(xlv_ring_field "$domid" "$r" kicks)"
	is "stats ring $r: notifications = backend's" "$notify" "$(xlv_ring_field "$domid" "$r" notify_sent)"
	is "stats ring $r: suppressed = backend's" "$supp" "$(xlv_ring_field "$domid" "$r" notify_suppressed)"
	is "stats ring $r: cpu" "$cpu" 1
	is "stats ring $r: poll" "$poll" adaptive
done
ok "the guest's I/O reached both rings" \
	test "$(xlv_ring_reqs "$domid" 0)" -gt 0 -a "$(xlv_ring_reqs "$domid" 1)" -gt 0
ok "stats --watch 0.5 --count 2 prints two tables" \
	sh -c "test \$(xl-vbmq stats cr --watch 0.5 --count 2 | grep -c '^DISK') = 2"
# --json: one object a line, the same figures as the backend's
xl-vbmq stats cr xvda --json > /tmp/stats.json 2>&1
is "xl-vbmq stats --json exits 0" "$?" 0
diag_file /tmp/stats.json
is "stats --json: one line" "$(wc -l < /tmp/stats.json)" 1
ok "stats --json: an object with the domain and xvda's two rings" grep -q \
	'^{"time":[0-9.]*,"interval_s":[0-9.]*,"domain":"cr","domid":'"$domid"',"disks":\[{"vdev":"xvda","devid":51712,"rings":\[{"ring":0,.*},{"ring":1,.*}\]}\]}$' \
	/tmp/stats.json
# json_field RING KEY: a number of ring RING in /tmp/stats.json
json_field() { grep -o "{\"ring\":$1,[^}]*" /tmp/stats.json | grep -o "\"$2\":[0-9]*" | cut -d: -f2; }
for r in 0 1; do
	is "stats --json ring $r: kicks = backend's" "$(json_field "$r" kicks)" "$(xlv_ring_field "$domid" "$r" kicks)"
	is "stats --json ring $r: poll_yields = backend's" "$(json_field "$r" poll_yields)" \
		"$(xlv_ring_field "$domid" "$r" poll_yields)"
	is "stats --json ring $r: requests = backend's" "$(json_field "$r" requests)" "$(xlv_ring_reqs "$domid" "$r")"
	is "stats --json ring $r: cpu" "$(json_field "$r" cpu)" 1
done
ok "stats --json --watch 0.5 --count 2: two JSON lines" \
	sh -c "test \$(xl-vbmq stats cr --json --watch 0.5 --count 2 | grep -c '^{\"time\":') = 2"
domu_signal cr done
domu_wait cr 120
