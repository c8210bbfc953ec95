# summary: xl-vbmq refuses bad input (cpus=abc, poll=fast, unknown domain or disk, ...) with exit 1, a message naming the key and range, and no key written
# testbed: qemu_cpus=2 dom0_vcpus=2 timeout=120
. /vbmq/scenarios/xl-vbmq.lib

step "null_blk backing device" 30 nullb_setup
step "vbmq-blkback loads" 30 backend_use vbmq
step "domU with 2 vCPUs" 60 domu_start bi vcpus=2
ok "xvda connects" wait_for 60 vbd_connected bi
domid=$(xl domid bi)
xlv_be=$(be_dir bi)
ok "a good setting works first" xl-vbmq set bi xvda poll-max-us=64
before=$(xlv_vbmq_keys "$xlv_be")
diag_file <(echo "$before")

xlv_refused "cpus=abc" 'vbmq/cpus: "abc" is invalid \(allowed: .*CPU list' \
	xl-vbmq set bi xvda cpus=abc
xlv_refused "poll=fast" 'vbmq/poll: "fast" is invalid \(allowed: off, adaptive, always\)' \
	xl-vbmq set bi xvda poll=fast
xlv_refused "good queues=1 with poll=fast: nothing written" 'vbmq/poll' \
	xl-vbmq set bi xvda queues=1 poll=fast
xlv_refused "queues=99" 'vbmq/queues: .*must be 1\.\.2' xl-vbmq set bi xvda queues=99
xlv_refused "cpus=7 (no such dom0 CPU)" 'vbmq/cpus: .*(CPU numbers must be < |CPU 7 is offline)' \
	xl-vbmq set bi xvda cpus=7
xlv_refused "poll-max-us=-1" 'vbmq/poll-max-us: .*0\.\.10000' \
	xl-vbmq set bi xvda poll-max-us=-1
xlv_refused "guest-poll-queues=2 with 2 queues" 'vbmq/guest-poll-queues: .*0\.\.queues-1' \
	xl-vbmq set bi xvda guest-poll-queues=2
xlv_refused "unknown key" 'unknown key "speed" \(keys: queues, cpus, poll' \
	xl-vbmq set bi xvda speed=9
xlv_refused "unknown domain" 'no domain named "nosuch" \(see xl list' \
	xl-vbmq set nosuch xvda poll=off
xlv_refused "unknown domain id" 'there is no domain 999' xl-vbmq set 999 xvda poll=off
xlv_refused "unknown disk" 'has no disk xvdb .*its disks: xvda \(51712\)' \
	xl-vbmq set bi xvdb poll=off
xlv_refused "not a disk name" '"vda" is not a virtual disk name' \
	xl-vbmq set bi vda poll=off
xlv_refused "no KEY=VALUE" 'usage: set DOMAIN VDEV KEY=VALUE' xl-vbmq set bi xvda
xlv_refused "unknown command" 'unknown command "frob"' xl-vbmq frob
xlv_refused "unset with a value" '"poll=off": unset takes key names only' \
	xl-vbmq unset bi xvda poll=off
xlv_refused "unset of an unknown key" 'unknown key "speed" \(keys: queues, cpus, poll' \
	xl-vbmq unset bi xvda poll-max-us speed
xlv_refused "unset of an unknown disk" 'has no disk xvdb' xl-vbmq unset bi xvdb poll-max-us
xlv_refused "unset without KEY" 'usage: unset DOMAIN VDEV KEY' xl-vbmq unset bi xvda
xlv_refused "stats --watch 0" 'watch needs SECONDS, 0\.1\.\.86400' \
	xl-vbmq stats bi --watch 0
xlv_refused "show of an unknown disk" 'has no disk xvdc' xl-vbmq show bi xvdc
if su -s /bin/sh -c true nobody 2>/dev/null; then
	xlv_refused "not root" 'needs root' su -s /bin/sh -c 'xl-vbmq set bi xvda poll=off' nobody
else
	note "su to nobody is not available here: the not-root case is left to the host's checks"
fi

# create: a bad vbmq entry creates no domain
xlv_cfg bad2 vcpus=1
echo 'vbmq = [ "xvda: queues=2, poll=fast" ]' >> /run/bad2.cfg
xlv_refused "create with poll=fast in the config" \
	'vbmq entry 1: vbmq/poll: "fast" is invalid.*no domain created' \
	xl-vbmq create /run/bad2.cfg
ok "no domain bad2 was created" domu_gone bad2
xlv_refused "create of a missing file" 'cannot read config file /nonexistent.cfg' \
	xl-vbmq create /nonexistent.cfg
is "vbmq/ keys as before all the refusals" "$(xlv_vbmq_keys "$xlv_be")" "$before"
ok "and the backend wrote no error" sh -c "! xenstore-read '$xlv_be/vbmq/error'"

# unset after all that: the key goes, the backend takes the module default
is "ring 0 runs with poll-max-us=64" "$(xlv_ring_field "$domid" 0 poll_max_us)" 64
ok "xl-vbmq unset bi xvda poll-max-us" xl-vbmq unset bi xvda poll-max-us
ok "vbmq/poll-max-us is gone" sh -c "! xenstore-read '$xlv_be/vbmq/poll-max-us'"
ok "ring 0 back to the module's poll_max_us" wait_for 10 sh -c \
	"[ \"\$(cat $(xlv_ringdir "$domid" 0)/poll_max_us)\" = \"\$(cat /sys/module/vbmq_blkback/parameters/poll_max_us)\" ]"
ok "unset of a key that is not set is fine" xl-vbmq unset bi xvda guest-irq-affinity
# a refused value, then unset: the error goes and a new refusal is reported
xenstore-write "$xlv_be/vbmq/poll" fast
ok "the backend refuses poll=fast written behind the tool's back" \
	wait_for 10 xenstore-read "$xlv_be/vbmq/error"
ok "xl-vbmq unset bi xvda poll" xl-vbmq unset bi xvda poll
ok "vbmq/error removed once the bad key is gone" \
	wait_for 10 sh -c "! xenstore-read '$xlv_be/vbmq/error'"
# refusals_said: how often dmesg reported the refusal of poll=fast
refusals_said() { dmesg | grep -c 'vbmq/poll: "fast" is invalid'; }
said=$(refusals_said)
said_again() { [ "$(refusals_said)" -gt "$said" ]; }
xenstore-write "$xlv_be/vbmq/poll" fast
ok "the same bad value again is refused again" wait_for 10 xenstore-read "$xlv_be/vbmq/error"
ok "and reported in dmesg again" wait_for 10 said_again
xenstore-rm "$xlv_be/vbmq/poll"
ok "vbmq/error removed again" wait_for 10 sh -c "! xenstore-read '$xlv_be/vbmq/error'"

# The guest rewrites its disk's backend link (its frontend directory is
# its own to write) to another domain's backend directory: here a stand-in
# for domain 999's disk, made by dom0.  set and apply must refuse it and
# write nothing there or in bi's own directory.
victim=/local/domain/0/backend/vbd/999/51712
xenstore-write "$victim/frontend" /local/domain/999/device/vbd/51712 \
	"$victim/frontend-id" 999 "$victim/dev" xvda "$victim/state" 4 \
	"$victim/online" 1 "$victim/vbmq/poll" off
victim_before=$(xlv_vbmq_keys "$victim")
bi_fe=$(fe_dir bi)
domu_signal bi redirect "$victim"
ok "the domU redirected its backend link" domu_wait_signal bi redirected 60
is "bi's link now names domain 999's directory" \
	"$(xenstore-read "$bi_fe/backend")" "$victim"
xlv_refused "set through a redirected backend link" \
	'backend link ".*/999/51712" is not the backend directory of this disk.*block-attach' \
	xl-vbmq set bi xvda poll=always
printf '* xvda: poll=always, poll-max-us=7\n' > /run/redirect.conf
xlv_refused "apply (the hotplug script's call) through a redirected link" \
	'is not the backend directory of this disk' \
	xl-vbmq apply "$domid" 51712 --conf /run/redirect.conf
is "domain 999's vbmq/ keys untouched" "$(xlv_vbmq_keys "$victim")" "$victim_before"
xenstore-rm /local/domain/0/backend/vbd/999
domu_signal bi restore
ok "the domU restored the link and wrote an escape sequence" \
	domu_wait_signal bi restored 60
# show escapes what the guest wrote: no raw ESC or BEL reaches the terminal
show=$(xl-vbmq show bi xvda 2>&1)
diag_file <(echo "$show")
ok "show works again with the link restored" \
	grep -q "^  backend:  $xlv_be " <<<"$show"
ok "show prints the guest's escape sequence escaped" \
	grep -qF 'rings:    \x1b]0;owned\x07\x1b[2J negotiated' <<<"$show"
ok "show prints no control byte" sh -c \
	'! printf "%s\n" "$1" | LC_ALL=C grep -q "[[:cntrl:]]"' sh "$show"
domu_signal bi done
domu_wait bi 120
