#!/usr/bin/env bash
# Runs ./test.sh as a new user would on a fresh Debian 12 with only Maven and a JDK 25:
# in a minimal root filesystem made by debootstrap, entered with chroot inside a private
# mount namespace (no container runtime needed). It checks that ./test.sh installs what it
# needs and passes from a clean start. Needs root, debootstrap and a JDK 25 on this machine.
#
#   scripts/fresh-machine-check.sh [ROOTFS_DIR]    (default /tmp/yastack-fresh-rootfs)
#
# The root filesystem is kept between runs (delete it for a truly fresh start); the
# repository is cloned into it from this checkout's HEAD each time.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/jdk.sh
root=${1:-/tmp/yastack-fresh-rootfs}
[[ $(id -u) == 0 ]] || { echo "fresh-machine-check: needs root (debootstrap, chroot, mounts)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "fresh-machine-check: apt-get install -y debootstrap" >&2; exit 1; }

# Runs a command inside the root filesystem with /dev, /proc, /sys, /run and /tmp mounted,
# in a private mount namespace, so nothing leaks into this machine's mounts.
in_root() {
  unshare --mount --propagation private bash -c "
    set -e
    mount --bind '$root' '$root'            # ip netns exec needs / to be a mount point
    mount --rbind /dev '$root/dev' && mount --make-rslave '$root/dev'
    mount -t proc proc '$root/proc'
    mount --rbind /sys '$root/sys' && mount --make-rslave '$root/sys'
    mount -t tmpfs tmpfs '$root/run'
    mount -t tmpfs tmpfs '$root/tmp'
    cp /etc/resolv.conf '$root/etc/resolv.conf'
    chroot '$root' /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin bash -c '$1'
  "
}

if [[ ! -x $root/usr/bin/mvn ]]; then
  echo "fresh-machine-check: building a minimal Debian 12 in $root (a few minutes)"
  debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian
  echo "deb http://deb.debian.org/debian-security bookworm-security main" >> "$root/etc/apt/sources.list"
  in_root "apt-get update -qq && apt-get install -y -qq --no-install-recommends maven git ca-certificates ca-certificates-java"
  # The JDK 25 a user would have installed: this machine's, copied in.
  mkdir -p "$root/usr/lib/jvm"
  cp -a "$JAVA_HOME" "$root/usr/lib/jvm/"
fi
# Where a sandbox reaches Maven Central through a proxy with its own CA, the CA is part of
# the machine, so the fresh filesystem gets it too.
if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
fi
rm -rf "$root/root/yastack"
git clone -q "$PWD" "$root/root/yastack"
# On a shared build machine, YASTACK_CPU_LOCK names a lock file that serialises heavy jobs.
exec 9>"${YASTACK_CPU_LOCK:-/dev/null}"
[[ -z ${YASTACK_CPU_LOCK:-} ]] || flock 9
in_root "update-ca-certificates >/dev/null && cd /root/yastack && time ./test.sh"
