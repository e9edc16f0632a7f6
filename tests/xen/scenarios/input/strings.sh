# SPDX-License-Identifier: GPL-2.0-only
# What dom0 types and the AppVMs expect (sourced by both sides).
# US layout, shifted characters included:
S_US='Hello, World! 0123456789 ~!@#$%^&*()_+{}|:"<>? `-=[]\;'"'"',./ end'
# German layout (dom0 runs setxkbmap de): umlauts, sharp s, z and y swapped.
S_DE='äöü ÄÖÜ ß? zy ZY'
# The burst: 5000 key presses and 5000 releases.
S_BURST=$(i=0; while [ $i -lt 500 ]; do printf 'abcdefghij'; i=$((i + 1)); done)
# Typed while the AppVM's X server is stopped (the ring stays full).
S_FULL=$(i=0; while [ $i -lt 20 ]; do printf 'The Quick Brown Fox %02d. ' $i; i=$((i + 1)); done)
S_BANK='bank'
S_A='A'
# Window positions (AppVM and dom0 screen coordinates of the content).
WORK_X=40 WORK_Y=50 BANK_X=600 BANK_Y=450 WIN_W=320 WIN_H=200
