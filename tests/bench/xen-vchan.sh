#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# xen-vchan.sh: the xen-vchan benchmark (see tests/bench/xen-vchan/run).
exec "$(dirname "$0")/xen-vchan/run" "$@"
