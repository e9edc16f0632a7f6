# SPDX-License-Identifier: GPL-2.0-only
# storage, a domain with no storage-domain disks: it must not notice the
# storage domain's death. Answers dom0's ping, then waits for quit.
. /bh/scenario/lib.sh
pong() { v=$(xs_wait data/ping 900) && xenstore-write data/pong "$v"; }
bh_check "answers dom0's ping after the storage domain died" pong
xs_wait data/quit 900 >/dev/null
