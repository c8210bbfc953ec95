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

# debian_mirror SUITE: the Debian mirror URI that the host's apt sources use
# for SUITE (deb822 .sources first, then the one-line format), or nothing.
debian_mirror() {
	local f suite=$1
	{
		for f in /etc/apt/sources.list.d/*.sources; do
			[ -f "$f" ] || continue
			awk -v want="$suite" '
				function flush() {
					if (deb && suite && uri != "" && enabled) { print uri; found = 1; exit }
					deb = 0; suite = 0; uri = ""; enabled = 1
				}
				BEGIN { enabled = 1 }
				/^[ \t]*#/ { next }
				/^[ \t]*$/ { flush(); next }
				{
					key = tolower($1)
					if (key == "types:")   for (i = 2; i <= NF; i++) if ($i == "deb") deb = 1
					if (key == "suites:")  for (i = 2; i <= NF; i++) if ($i == want) suite = 1
					if (key == "uris:")    uri = $2
					if (key == "enabled:") enabled = (tolower($2) != "no")
				}
				END { if (!found) flush() }
			' "$f"
		done
		for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
			[ -f "$f" ] || continue
			sed -e 's/#.*//' -e 's/\[[^]]*\]//' "$f" |
				awk -v want="$suite" '$1 == "deb" && $3 == want { print $2 }'
		done
	} | head -n1
}
