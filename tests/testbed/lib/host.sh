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

# private_apt DIR "deb ..." ...: set PAPT, apt options that reach only the
# given sources, with lists and caches in DIR and no dpkg status, so the
# host's own sources, lists and pins stay untouched (a second platform's
# packages come from another suite).
private_apt() {
	local dir=$1 l
	shift
	mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
	for l in "$@"; do echo "$l"; done > "$dir/sources.list.new"
	cmp -s "$dir/sources.list.new" "$dir/sources.list" 2>/dev/null &&
		rm -f "$dir/sources.list.new" || mv "$dir/sources.list.new" "$dir/sources.list"
	# Hooks of the host's apt.conf.d concern the host's lists, not these.
	printf '#clear APT::Update::Pre-Invoke;\n#clear APT::Update::Post-Invoke;\n#clear APT::Update::Post-Invoke-Success;\n' \
		> "$dir/apt.conf"
	PAPT=(-c "$dir/apt.conf"
		-o Dir::Etc::SourceList="$dir/sources.list"
		-o Dir::Etc::SourceParts=/dev/null
		-o Dir::Etc::Preferences=/dev/null
		-o Dir::Etc::PreferencesParts=/dev/null
		-o Dir::State::Lists="$dir/lists"
		-o Dir::Cache="$dir/cache"
		-o Dir::State::status=/dev/null
		-o Acquire::Languages=none
		-o APT::Sandbox::User="$(id -un)")
}

# private_apt_update DIR: apt-get update of a private_apt DIR, at most once
# an hour (and whenever its sources changed).
private_apt_update() {
	local dir=$1
	if [ -z "$(find "$dir/.updated" -newer "$dir/sources.list" -mmin -60 2>/dev/null)" ]; then
		log "apt-get update ($dir/sources.list, private lists)"
		apt-get "${PAPT[@]}" update >"$dir/update.log" 2>&1 ||
			die "apt-get update of $dir/sources.list failed; see $dir/update.log"
		touch "$dir/.updated"
	fi
}

# harness_libs SOURCE: the libraries a unit test or fuzz target links
# besides libc: Xen's libxlutil when it builds the tool's xl config reader.
harness_libs() {
	if grep -q 'tools/xl-vbmq/config\.c' "$1"; then
		echo -lxlutil
	fi
}
