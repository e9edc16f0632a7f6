// SPDX-License-Identifier: GPL-2.0-only
/* the gntfb scenario's dom0 program, built here for the benchmark */
#include "../../../xen/scenarios/gntfb/gntfb_dom0.c"
