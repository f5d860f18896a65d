#!/bin/busybox sh
# /init of the kernel-oracle guest (busybox initramfs).
#
# Captures the tiering-related sysfs/procfs files with capture-sysfs.sh, plus
# dmesg and the raw ACPI NUMA tables, and writes them as a base64-encoded
# tar.gz between two marker lines on the first serial port, then powers off.
/bin/busybox mkdir -p /bin /proc /sys /dev /tmp
/bin/busybox --install -s /bin
export PATH=/bin

mount -t devtmpfs dev /dev 2>/dev/null
exec </dev/null >/dev/ttyS0 2>&1
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t tmpfs tmp /tmp
# Keep kernel messages off the console while the payload is printed.
dmesg -n 1

out=/tmp/out
mkdir -p "$out/acpi"
sh /bin/capture-sysfs.sh "$out/root"
dmesg > "$out/dmesg.txt"
cat /proc/cmdline > "$out/cmdline.txt"
for t in HMAT SRAT SLIT; do
	[ -r "/sys/firmware/acpi/tables/$t" ] && cat "/sys/firmware/acpi/tables/$t" > "$out/acpi/$t"
done

echo
echo "TIERD-CAPTURE-BEGIN"
tar -czf - -C "$out" . | base64
echo "TIERD-CAPTURE-END"
sync
poweroff -f
