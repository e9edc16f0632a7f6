# SPDX-License-Identifier: GPL-2.0-only
# desktop, the hostile AppVM "evil": gntfb (for one real buffer) and
# bulkhead-gui-hostile running the cases dom0 lists in data/hostile/cases.
. /bh/desk-lib.sh
bh_check "gntfb (guest role) loaded" desk_gntfb
cases=$(bh_xs_wait data/hostile/cases 900)
# shellcheck disable=SC2086
bh_check "hostile agent: ran every case, each ended by dom0" bulkhead-gui-hostile $cases
