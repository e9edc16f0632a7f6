// SPDX-License-Identifier: GPL-2.0-only
/* the gntfb scenario's guest program, built here for the benchmark */
#include "../../../xen/scenarios/gntfb/gntfb_guest.c"
