/*
 * hvlog.c - the hypervisor's console ring into <logdir>/hypervisor.log
 * (-l hv|all), as xenconsoled --log=hv: VIRQ_CON_RING says there is news,
 * xc_readconsolering(incremental) reads it from where we left off, in
 * chunks, again while a chunk comes back full (xen 63a04d97a0).  The boot
 * messages already in the ring are read once at start (xen e40f01f4d5).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "conslog.h"
#include "consoled.h"
#include "log.h"

#define HV_CHUNK	(16 * 1024)

struct hvlog {
	struct consd	*d;
	struct conslog	 log;
	uint32_t	 lport;
	unsigned int	 index;		/* xc_readconsolering's incremental cursor */
	char		*buf;
};

struct hvlog *
hvlog_new(struct consd *d)
{
	struct hvlog *h;
	struct conslog_opts lo;
	char path[PATH_MAX];
	xenevtchn_port_or_error_t p;

	if ((h = calloc(1, sizeof(*h))) == NULL ||
	    (h->buf = malloc(HV_CHUNK)) == NULL) {
		log_warn("hypervisor log");
		free(h);
		return NULL;
	}
	h->d = d;
	consd_log_opts(d, d->o.ts_hv, &lo);
	snprintf(path, sizeof(path), "%s/hypervisor.log", d->o.logdir);
	if (conslog_open(&h->log, path, &lo) == -1) {
		log_warn("hypervisor log %s", path);
		goto fail;
	}
	if ((p = xenevtchn_bind_virq(d->xce, VIRQ_CON_RING)) < 0) {
		log_warn("hypervisor log: bind VIRQ_CON_RING");
		goto fail;
	}
	h->lport = (uint32_t)p;
	hvlog_event(h);
	return h;
fail:
	conslog_close(&h->log);
	free(h->buf);
	free(h);
	return NULL;
}

uint32_t
hvlog_port(const struct hvlog *h)
{
	return h->lport;
}

void
hvlog_event(struct hvlog *h)
{
	unsigned int size;
	int i;

	/* Bounded: a hypervisor printing without pause cannot hold the loop. */
	for (i = 0; i < 64; i++) {
		size = HV_CHUNK;
		if (xc_readconsolering(h->d->xc, h->buf, &size, 0, 1,
		    &h->index) != 0) {
			log_warn("hypervisor log: xc_readconsolering");
			break;
		}
		if (size > 0)
			conslog_write(&h->log, h->buf, size);
		if (size < HV_CHUNK)
			break;
	}
	if (h->lport != 0)
		xenevtchn_unmask(h->d->xce, h->lport);
}

void
hvlog_reopen(struct hvlog *h)
{
	if (h != NULL && conslog_reopen(&h->log) == -1)
		log_warn("reopen hypervisor log");
}

void
hvlog_free(struct hvlog *h)
{
	if (h == NULL)
		return;
	if (h->lport != 0)
		xenevtchn_unbind(h->d->xce, h->lport);
	conslog_close(&h->log);
	free(h->buf);
	free(h);
}
