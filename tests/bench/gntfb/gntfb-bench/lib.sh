# SPDX-License-Identifier: GPL-2.0-only
# gntfb-bench helpers (as the gntfb scenario's), sourced by dom0.sh and guest1.sh.
GNTFB_BIN=/bh/scenario

# gntfb_load [PARAM=VALUE...]: DRM core modules, then gntfb.ko.
gntfb_load() {
	local m k
	for m in drm drm_kms_helper; do
		lsmod | grep -q "^$m " && continue
		k=$(find /lib/modules /bh/scenario/modules -name "$m.ko" 2>/dev/null | head -n1)
		[ -n "$k" ] || { echo "no $m.ko in this image"; return 1; }
		insmod "$k" || return 1
	done
	insmod "$(find /lib/modules -name gntfb.ko | head -n1)" "$@"
}
