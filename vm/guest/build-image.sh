#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# The guest image of Loom's VM hosts (docs/VMS.md), built from Debian
# packages only:
#   - Debian's kernel (linux-image-amd64's current ABI package), fetched with
#     `apt-get download` and unpacked with `dpkg-deb -x` (never installed on
#     this machine);
#   - an initramfs of busybox-static, the kernel modules the guest needs to
#     reach the host's root filesystem over 9p (virtio_pci, 9pnet_virtio, 9p,
#     virtio_console, virtio_net, with their modinfo dependencies, in load
#     order) and vm/guest/init, which mounts the host's root read-only and runs
#     the guest agent (vm/guest/agent) on a virtio-serial port.
#
# Usage: build-image.sh [--cache DIR] [--force] [--probe] [--quiet]
#   Prints the image directory (vmlinuz, vmlinux, initrd.img, kroot/, accel, ...) on
#   its last line of stdout. The directory is
#   $LOOM_GUEST_CACHE (default /var/cache/loom/guest) / <kernel release>-<hash>,
#   where <hash> covers every input (kernel package version, busybox version,
#   this script, init): the image is rebuilt only when missing or when an
#   input changes. --force rebuilds it; --probe forgets the KVM verdict.
#
#   After a build the script probes once whether a guest boots under KVM here
#   (a probe guest that prints a marker and powers off); the verdict (kvm or
#   tcg) is cached in $LOOM_GUEST_CACHE/accel, copied to <image>/accel and read
#   by the launcher.
# Run as root on Debian 12.
set -euo pipefail
umask 022
export LC_ALL=C

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE=${LOOM_GUEST_CACHE:-/var/cache/loom/guest}
FORCE=0 PROBE=0 QUIET=0
while [ $# -gt 0 ]; do
  case "$1" in
    --cache) CACHE=$2; shift 2 ;;
    --force) FORCE=1; shift ;;
    --probe) PROBE=1; shift ;;
    --quiet) QUIET=1; shift ;;
    *) echo "build-image.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

say() { [ "$QUIET" -eq 1 ] || echo "build-image: $*" >&2; }
die() { echo "build-image: error: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (apt-get, /var/cache/loom)"
case "$CACHE" in /*) ;; *) die "cache directory must be an absolute path: $CACHE" ;; esac

# Modules the guest loads from its initramfs (dependencies are added).
BOOT_MODULES=(virtio_pci virtio_console 9pnet_virtio 9p virtio_net)

# Debian packages: the image's tools, and what the guest runs from the host's root.
DEPS=(
  "qemu-system-x86:/usr/bin/qemu-system-x86_64" "busybox-static:/usr/share/doc/busybox-static"
  "kmod:/usr/sbin/depmod" "cpio:/usr/bin/cpio" "gzip:/bin/gzip" "xz-utils:/usr/bin/xz"
  "iproute2:/usr/sbin/ip" "ethtool:/usr/sbin/ethtool" "iputils-ping:/usr/bin/ping" "iperf3:/usr/bin/iperf3"
  "python3-scapy:/usr/lib/python3/dist-packages/scapy/__init__.py"
)
missing=()
for d in "${DEPS[@]}"; do [ -e "${d#*:}" ] || missing+=("${d%%:*}"); done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
[ -x /bin/busybox ] && file_static=$(od -An -c -N4 /bin/busybox | tr -d ' ') || file_static=
[ "$file_static" = "177ELF" ] || die "/bin/busybox missing (package busybox-static)"

# A directory we create or accept: a real directory (not a symlink), owned by
# root, not writable by group or others.
safe_dir() {
  local d=$1
  if [ ! -e "$d" ] && [ ! -L "$d" ]; then mkdir -m 0755 "$d"; fi
  [ -d "$d" ] && [ ! -L "$d" ] || die "$d is not a directory (or is a symlink)"
  local st
  st=$(stat -c '%u %a' -- "$d")
  [ "${st%% *}" = 0 ] || die "$d is not owned by root"
  case "${st#* }" in *[2367]? | *[2367]) die "$d is writable by group or others" ;; esac
}
parent=${CACHE%/*}
[ -d "${parent:-/}" ] || mkdir -p -m 0755 "$parent"
safe_dir "${parent:-/}"
safe_dir "$CACHE"

exec 9>"$CACHE/.lock"
flock 9

# The kernel: linux-image-amd64 depends on the current ABI package.
kernel_pkg() {
  apt-cache depends --no-recommends --no-suggests linux-image-amd64 2>/dev/null |
    awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ { print $2; exit }'
}
KPKG=$(kernel_pkg || true)
if [ -z "$KPKG" ]; then
  say "apt lists have no linux-image-amd64; running apt-get update"
  apt-get update -qq || true
  KPKG=$(kernel_pkg || true)
fi
[ -n "$KPKG" ] || die "cannot find Debian's kernel (package linux-image-amd64) in apt's lists"
KVERSION=$(apt-cache policy "$KPKG" | awk '$1 == "Candidate:" { print $2; exit }')
[ -n "$KVERSION" ] && [ "$KVERSION" != "(none)" ] || die "no installable version of $KPKG"
KREL=${KPKG#linux-image-}
BBVERSION=$(dpkg-query -W -f '${Version}' busybox-static)

KEY=$( {
  echo "kernel $KPKG $KVERSION"
  echo "busybox $BBVERSION"
  echo "modules ${BOOT_MODULES[*]}"
  sha256sum "$HERE/build-image.sh" "$HERE/init" | awk '{ print $1 }'
} | sha256sum | cut -c1-12)
IMAGE=$CACHE/$KREL-$KEY

if [ "$FORCE" -eq 1 ] && [ -d "$IMAGE" ]; then
  say "removing $IMAGE (--force)"
  rm -rf --one-file-system -- "$IMAGE"
fi

if [ ! -f "$IMAGE/initrd.img" ] || [ ! -f "$IMAGE/vmlinuz" ]; then
  say "building $IMAGE ($KPKG $KVERSION, busybox $BBVERSION)"
  WORK=$(mktemp -d "$CACHE/.build.XXXXXX")
  trap 'rm -rf --one-file-system -- "$WORK"' EXIT
  ( cd "$WORK" && apt-get download -q -o APT::Sandbox::User=root "$KPKG=$KVERSION" >/dev/null ) ||
    die "apt-get download $KPKG=$KVERSION failed"
  deb=("$WORK"/*.deb)
  [ -f "${deb[0]}" ] || die "apt-get download left no .deb"
  mkdir "$WORK/image" "$WORK/image/kroot"
  dpkg-deb -x "${deb[0]}" "$WORK/image/kroot"
  rm -f -- "${deb[@]}"
  KROOT=$WORK/image/kroot
  [ -f "$KROOT/boot/vmlinuz-$KREL" ] || die "$KPKG has no /boot/vmlinuz-$KREL"
  mv "$KROOT/boot/vmlinuz-$KREL" "$WORK/image/vmlinuz"
  mv "$KROOT/boot/config-$KREL" "$WORK/image/config"
  rm -rf -- "$KROOT/boot" "$KROOT/usr"
  # The kernel uncompressed (an ELF with a PVH entry): QEMU boots it directly,
  # without firmware and without the bzImage decompressing itself, which under
  # TCG takes about 10 s of the boot. Only for an xz bzImage with CONFIG_PVH.
  if grep -qx 'CONFIG_PVH=y' "$WORK/image/config" && grep -qx 'CONFIG_KERNEL_XZ=y' "$WORK/image/config"; then
    off=$(set +o pipefail; grep -obUaP -m1 '\xFD7zXZ\x00' "$WORK/image/vmlinuz" | head -1 | cut -d: -f1)
    if [ -n "$off" ] && tail -c +$((off + 1)) "$WORK/image/vmlinuz" > "$WORK/vmlinux.xz" &&
       xz -dc --single-stream "$WORK/vmlinux.xz" > "$WORK/image/vmlinux" 2>/dev/null &&
       [ "$(od -An -c -N4 "$WORK/image/vmlinux" | tr -d ' ')" = "177ELF" ]; then
      rm -f -- "$WORK/vmlinux.xz"
      say "uncompressed kernel for a PVH boot: vmlinux"
    else
      rm -f -- "$WORK/image/vmlinux"
      say "could not uncompress the kernel; guests boot the bzImage (slower under TCG)"
    fi
  fi
  MODDIR=$KROOT/lib/modules/$KREL
  [ -d "$MODDIR" ] || die "$KPKG has no /lib/modules/$KREL"
  # modules.dep & co. for the guest's modprobe (the package's postinst would
  # run depmod; we never install it).
  depmod -b "$KROOT" "$KREL"

  # Module name -> file, then each boot module after its dependencies.
  declare -A MODFILE=()
  while IFS= read -r -d '' f; do
    n=${f##*/}; n=${n%.ko}; MODFILE[${n//-/_}]=$f
  done < <(find "$MODDIR/kernel" -name '*.ko' -print0)
  ORDER=()
  declare -A SEEN=()
  add_module() {
    local m=${1//-/_} d
    [ -n "${SEEN[$m]:-}" ] && return 0
    SEEN[$m]=1
    [ -n "${MODFILE[$m]:-}" ] || die "kernel $KREL has no module $m (built in? check $WORK/image/config)"
    for d in $(modinfo -F depends "${MODFILE[$m]}" | tr ',' ' '); do add_module "$d"; done
    ORDER+=("$m")
  }
  for m in "${BOOT_MODULES[@]}"; do add_module "$m"; done

  STAGE=$WORK/stage
  mkdir -p "$STAGE"/{bin,sbin,etc/loom,dev,proc,sys,newroot,tmp,run,"lib/modules/$KREL"}
  cp /bin/busybox "$STAGE/bin/busybox"
  install -m 0755 "$HERE/init" "$STAGE/init"
  for m in "${ORDER[@]}"; do cp "${MODFILE[$m]}" "$STAGE/lib/modules/$KREL/$m.ko"; done
  printf '%s\n' "${ORDER[@]}" > "$STAGE/lib/modules/$KREL/load-order"
  mknod -m 0600 "$STAGE/dev/console" c 5 1
  mknod -m 0666 "$STAGE/dev/null" c 1 3
  ( cd "$STAGE" && find . -print0 | sort -z | cpio --null -o -H newc -R 0:0 --quiet ) | gzip -n -6 > "$WORK/image/initrd.img"
  printf '%s\n' "$KREL" > "$WORK/image/kernel.release"
  { echo "kernel_package=$KPKG"; echo "kernel_version=$KVERSION"; echo "busybox=$BBVERSION";
    echo "boot_modules=${ORDER[*]}"; } > "$WORK/image/inputs"
  mv -T "$WORK/image" "$IMAGE"
  rm -rf --one-file-system -- "$WORK"
  trap - EXIT
  say "initramfs: ${#ORDER[@]} modules (${ORDER[*]})"
  # Older images of this cache (other inputs) are no longer used.
  for old in "$CACHE"/*-*; do
    [ "$old" != "$IMAGE" ] && [ -d "$old" ] && [ ! -L "$old" ] && [ -f "$old/kernel.release" ] || continue
    say "removing old image $old"
    rm -rf --one-file-system -- "$old"
  done
fi

# KVM or TCG: a guest must actually boot with KVM (here /dev/kvm may exist
# while nested KVM fails). Probed once; the verdict is cached.
probe_kvm() {
  [ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ] || { echo "tcg no /dev/kvm"; return; }
  local out
  out=$(timeout 30 /usr/bin/qemu-system-x86_64 -nodefaults -no-user-config -display none -no-reboot \
          -accel kvm -cpu host -m 256 -serial stdio \
          -kernel "$IMAGE/vmlinuz" -initrd "$IMAGE/initrd.img" \
          -append "console=ttyS0 quiet panic=-1 loom.probe=1" 2>&1 </dev/null || true)
  case "$out" in
    *LOOM-PROBE-OK*) echo "kvm" ;;
    *) echo "tcg kvm probe failed: $(printf '%s' "$out" | tr -c '[:print:]' ' ' | tail -c 200)" ;;
  esac
}
# The verdict is the machine's: kept in $CACHE/accel, copied into each image.
put_file() { # dest text
  local tmp
  tmp=$(mktemp "$(dirname "$1")/.tmp.XXXXXX")
  printf '%s\n' "$2" > "$tmp"
  chmod 0644 "$tmp"
  mv -f -- "$tmp" "$1"
}
if [ "$PROBE" -eq 1 ] || [ ! -f "$CACHE/accel" ] || [ -L "$CACHE/accel" ]; then
  say "probing whether a guest boots with KVM"
  verdict=$(probe_kvm)
  put_file "$CACHE/accel" "${verdict%% *}"
  say "accelerator: $verdict"
fi
read -r accel < "$CACHE/accel" || accel=tcg
case "$accel" in kvm|tcg) ;; *) accel=tcg ;; esac
if [ ! -f "$IMAGE/accel" ] || [ "$(cat "$IMAGE/accel")" != "$accel" ]; then
  put_file "$IMAGE/accel" "$accel"
fi
echo "$IMAGE"
