# Host-side helpers shared by the test bed scripts and the Makefile helpers.
# Sourced, not executed.  Sets VBMQ_TOP, VBMQ_BUILD and VBMQ_CACHE.

VBMQ_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)
VBMQ_BUILD=${VBMQ_BUILD:-$VBMQ_TOP/build}
VBMQ_CACHE=${VBMQ_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vbmq}
XEN_VERSION=4.17
mkdir -p "$VBMQ_BUILD"

log() { printf '[testbed] %s\n' "$*" >&2; }
die() { printf '[testbed] error: %s\n' "$*" >&2; exit 1; }

# apt-get update, at most once per hour and only when the lists are missing
# or stale: a fresh machine has no lists, and apt-cache answers nothing then.
apt_updated_once() {
	local stamp=/var/lib/apt/periodic/vbmq-update-stamp
	if [ -z "$(find "$stamp" -mmin -60 2>/dev/null)" ]; then
		[ "$(id -u)" = 0 ] || die "apt lists are stale and updating them needs root"
		log "apt-get update"
		apt-get update >"$VBMQ_BUILD/apt-update.log" 2>&1 ||
			die "apt-get update failed; see $VBMQ_BUILD/apt-update.log"
		mkdir -p "$(dirname "$stamp")" && touch "$stamp"
	fi
}

# The kernel ABI of Debian's current 6.1 kernel (linux-image-amd64's
# dependency), e.g. 6.1.0-56-amd64: the dom0 and domU kernel of the bed.
testbed_kabi() {
	local k
	k=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/.*Depends: linux-image-\(6\.1\.0-[0-9]*-amd64\)$/\1/p' | head -n1)
	if [ -z "$k" ]; then
		apt_updated_once
		k=$(apt-cache depends linux-image-amd64 2>/dev/null |
			sed -n 's/.*Depends: linux-image-\(6\.1\.0-[0-9]*-amd64\)$/\1/p' | head -n1)
	fi
	[ -n "$k" ] || die "cannot tell Debian's current 6.1 kernel from linux-image-amd64"
	echo "$k"
}

# Candidate version of a package, for cache keys.
pkg_version() {
	apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p' | head -n1
}

# Installed version of a host package, for cache keys of what we copy from it.
host_pkg_version() {
	dpkg-query -W -f='${Version}' "$1" 2>/dev/null
}
