/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The gntinput driver's Xen side, with no X server header: one page shared
 * writable with the backend domain (gntalloc through libxengnttab), an
 * unbound event-channel port for it (libxenevtchn), both advertised in the
 * AppVM's own XenStore directory (GNTINPUT_XS_*; libxenstore).
 */
#ifndef GNTINPUT_XEN_GLUE_H
#define GNTINPUT_XEN_GLUE_H

#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

struct gntinput_xen {
	void *gs; /* xengntshr_handle */
	void *xe; /* xenevtchn_handle */
	struct xs_handle *xs;
	void *page;
	uint32_t ref;
	uint32_t port;
	uint16_t backend;
	/* Host tests only (Option "Backend" "file"): the page is a shared
	 * mapping of a file and a FIFO stands in for the event channel. */
	int file_fifo;
	bool file;
};

/*
 * Shares and initialises the page (gntinput_page_init), allocates the port
 * and publishes both. On failure nothing is left behind and @err says why.
 */
int gntinput_xen_open(struct gntinput_xen *x, uint16_t backend, char *err, size_t errlen);
/*
 * Host tests only: maps @page_path (4096 bytes) as the page and opens the
 * FIFO @fifo_path as the notification channel (the producer writes a byte).
 */
int gntinput_file_open(struct gntinput_xen *x, const char *page_path, const char *fifo_path,
		       char *err, size_t errlen);
/* Withdraws the XenStore nodes, unbinds the port, unshares the page. */
void gntinput_xen_close(struct gntinput_xen *x);
/* The pollable fd of the event channel. */
int gntinput_xen_fd(const struct gntinput_xen *x);
/* Consumes a pending event (and unmasks the port); never blocks. */
void gntinput_xen_ack(struct gntinput_xen *x);
int gntinput_xen_notify(struct gntinput_xen *x);

#endif
