#!/usr/bin/env bash
# Builds the OCI image of the distribution without a container daemon and without pulling
# anything from a registry:
#   layer 1  a minimal Debian 12 root file system made by debootstrap from Debian's packages,
#            with the DPDK 22.11 runtime libraries the userspace flavor loads and a user
#            yastack (10001) the host flavor runs as
#   layer 2  a Java runtime jlinked from this JDK with exactly the modules the server resolves
#   layer 3  the distribution (bin/, lib/, native/, graal/, examples/, types/) under /opt/yastack
# assembled with umoci into an OCI image layout, written as one tar (an "oci-archive":
# `skopeo copy oci-archive:FILE docker://REGISTRY/yastack:VERSION` pushes it).
#
#   build.sh DIST_DIR VERSION OUT_TAR
#
# Needs root (debootstrap, file ownership in layers), debootstrap, umoci and a JDK 25
# (JAVA_HOME). The Debian root file system and the jlinked runtime are cached in
# $YASTACK_IMAGE_CACHE (default /var/cache/yastack-image), keyed by what goes into them, so
# only the first build pays for debootstrap (about 2 minutes); later ones take seconds.
#   YASTACK_DEBIAN_MIRROR  where debootstrap gets packages (default http://deb.debian.org/debian)
set -euo pipefail

dist=${1:?build.sh DIST_DIR VERSION OUT_TAR}
version=${2:?build.sh DIST_DIR VERSION OUT_TAR}
out=${3:?build.sh DIST_DIR VERSION OUT_TAR}
dist=$(cd "$dist" && pwd)
cache=${YASTACK_IMAGE_CACHE:-/var/cache/yastack-image}
mirror=${YASTACK_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
uid=10001

say() { echo "[yastack-image] $*"; }
die() { echo "[yastack-image] $*" >&2; exit 1; }

[[ $EUID == 0 ]] || die "needs root (debootstrap and file ownership in the layers); run ./test.sh or mvn -Pimage as root"
for tool in debootstrap umoci; do
  command -v "$tool" >/dev/null || die "needs $tool: apt-get install -y $tool (scripts/prerequisites.sh installs it for ./test.sh)"
done
java_home=${JAVA_HOME:-}
[[ -x $java_home/bin/jlink ]] || die "needs a JDK 25 with jlink in JAVA_HOME (got '${java_home}')"
[[ -x $dist/bin/yastack ]] || die "no distribution at $dist (mvn package first)"

# The DPDK runtime the kernel's shim links (EAL, ethdev, mbuf, mempool, ring and what they
# need) and the poll-mode drivers a pod meets: AF_PACKET, TAP, memif and ring (virtual),
# Intel VFs and PFs (iavf, i40e, ixgbe, ice), virtio, and Mellanox (mlx5).
packages=(librte-ethdev23 librte-net-af-packet23 librte-net-tap23 librte-net-memif23 librte-net-ring23
          librte-net-iavf23 librte-net-i40e23 librte-net-ixgbe23 librte-net-ice23 librte-net-virtio23
          librte-net-mlx5-23)

mkdir -p "$cache"
key_of() { sha256sum | cut -c1-16; }
base_key=$( { echo "$suite $mirror ${packages[*]} uid=$uid"; sed -n '/^make_base()/,/^}/p' "$0"; } | key_of)

# Layer 1: the Debian root file system, pruned of what a container never uses.
make_base() {
  local root=$1
  debootstrap --variant=minbase --include="$(IFS=,; echo "${packages[*]}")" "$suite" "$root" "$mirror" >"$root.log" 2>&1 \
    || { tail -20 "$root.log" >&2; die "debootstrap failed (log above)"; }
  chroot "$root" groupadd --gid "$uid" yastack
  chroot "$root" useradd --uid "$uid" --gid "$uid" --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin yastack
  mkdir -p "$root/etc/yastack"
  # Package caches and lists, documentation, translations: nothing a running proxy reads.
  rm -rf "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* "$root"/var/cache/debconf/*-old \
         "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/lintian \
         "$root"/var/log/* "$root"/tmp/* "$root"/debootstrap
  find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 ! -name 'locale.alias' -exec rm -rf {} +
}

base_layout=$cache/base-$base_key
if [[ ! -f $base_layout/index.json ]]; then
  say "debootstrap $suite (minbase + DPDK runtime) into the cache; the first build takes a few minutes"
  work=$(mktemp -d "$cache/.base.XXXXXX")
  make_base "$work/rootfs"
  umoci init --layout "$work/oci"
  umoci new --image "$work/oci:yastack"
  umoci insert --image "$work/oci:yastack" --history.created_by "debootstrap --variant=minbase $suite + DPDK 22.11 runtime" \
    "$work/rootfs" /
  rm -rf "$base_layout"
  mv "$work/oci" "$base_layout"
  rm -rf "$work"
fi

# Layer 2: the runtime. The modules are the JDK modules the distribution's own modules
# require (jlink adds what those require in turn), read from the module resolution of
# bin/yastack run with the options it always uses, plus the JDK modules it names as roots (JVMCI
# when the Graal compiler fits this JDK). Service bindings are left out: resolution binds every
# provider in the JDK (javac, jshell, ...), and nothing of ours looks one up.
modules=$(YASTACK_JAVA_OPTS=--show-module-resolution JAVA_HOME="$java_home" "$dist/bin/yastack" version 2>/dev/null | awk '
  $NF ~ /^jrt:\// { jdk[substr($NF, 6)] = 1 }
  $1 == "root" && $NF ~ /^jrt:\// { need[$2] = 1 }
  $2 == "requires" { from[NR] = $1; to[NR] = $3 }
  END { need["java.base"] = 1
        for (i in from) if (!(from[i] in jdk) && (to[i] in jdk)) need[to[i]] = 1
        for (m in need) print m }' | sort | paste -sd, -)
[[ -n $modules ]] || die "could not list the modules bin/yastack resolves"
jre_key=$( { "$java_home/bin/java" -version 2>&1; echo "$modules"; } | key_of)
jre=$cache/jre-$jre_key
if [[ ! -x $jre/bin/java ]]; then
  say "jlink: $modules"
  rm -rf "$jre.tmp"
  "$java_home/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
    --compress=zip-6 --output "$jre.tmp"
  mv "$jre.tmp" "$jre"
fi

# Assemble: a copy of the cached base layout (blobs are immutable and shared by hard links;
# the index is the copy's own), then the runtime and the distribution as layers of their own.
work=$(mktemp -d "${TMPDIR:-/tmp}/yastack-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/oci"
cp -al "$base_layout/blobs" "$work/oci/blobs"
cp "$base_layout/index.json" "$base_layout/oci-layout" "$work/oci/"
image="$work/oci:yastack"
umoci insert --image "$image" --history.created_by "jlink ($modules)" "$jre" /opt/java
mkdir -p "$work/dist"
cp -a "$dist"/. "$work/dist/"
# The AOT caches are valid only for the JDK and the directory they were trained with (the
# launcher checks their keys and ignores them elsewhere): in the image they would be dead weight.
rm -f "$work/dist"/lib/*.aot "$work/dist"/lib/*.aot.key
chown -R 0:0 "$work/dist"
umoci insert --image "$image" --history.created_by "yastack $version distribution" "$work/dist" /opt/yastack
umoci config --image "$image" --author "yastack" --os linux --architecture amd64 \
  --config.user "$uid:$uid" --config.workingdir / \
  --config.env JAVA_HOME=/opt/java \
  --config.env PATH=/opt/java/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  --config.entrypoint /opt/yastack/bin/yastack \
  --config.cmd run --config.cmd --config --config.cmd /etc/yastack/yastack.yaml \
  --config.exposedports 8080/tcp --config.exposedports 9901/tcp --config.stopsignal SIGTERM \
  --config.label org.opencontainers.image.title=yastack \
  --config.label org.opencontainers.image.version="$version" \
  --config.label org.opencontainers.image.description="programmable L4/L7 proxy (host and DPDK flavors)" \
  --history.created_by "entrypoint bin/yastack run --config /etc/yastack/yastack.yaml, user $uid"
umoci tag --image "$image" "$version"
umoci gc --layout "$work/oci"

mkdir -p "$(dirname "$out")"
tar --sort=name --owner=0 --group=0 --numeric-owner -C "$work/oci" -cf "$out.tmp" .
mv "$out.tmp" "$out"
compressed=$(du -sb "$work/oci/blobs" | cut -f1)
say "wrote $out ($(( compressed / 1024 / 1024 )) MiB of compressed layers; tags yastack, $version)"
