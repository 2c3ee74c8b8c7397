/*
 * supquiesce.c - the parent's clean-stop record check (supquiesce.h).
 */
#include <stdlib.h>

#include <xen/io/xenbus.h>

#include "log.h"
#include "parse.h"
#include "supervise.h"
#include "supquiesce.h"
#include "xs.h"

struct fe_reader {
	struct sup	*sup;
	unsigned int	 domid, devid;
};

/* xbq_read_fn: the frontend directory (fixed path, as the proxy allows). */
static char *
fe_read_cb(void *arg, const char *key)
{
	struct fe_reader *r = arg;

	return xsc_readf(sup_xsc(r->sup), XBT_NULL,
	    "/local/domain/%u/device/%s/%u/%s", r->domid, sup_type(r->sup),
	    r->devid, key);
}

int
supq_check(struct sup *sup, unsigned int domid, unsigned int devid,
    unsigned int max_queues, supq_parse_fn *parse, supq_match_fn *match,
    void *rec)
{
	struct fe_reader rd = { sup, domid, devid };
	const char *type = sup_type(sup), *why = "";
	char *s;
	int st;

	s = xsc_readf(sup_xsc(sup), XBT_NULL, "%s/%u/%u/%s", sup_root(sup),
	    domid, devid, XB_QUIESCED_KEY);
	if (s == NULL) {
		log_devinfo(type, domid, devid, "no %s record: the last "
		    "daemon did not stop cleanly", XB_QUIESCED_KEY);
		return -1;
	}
	st = parse(s, max_queues, rec, &why);
	free(s);
	if (st == -1) {
		log_devwarnx(type, domid, devid, "%s record unusable: %s",
		    XB_QUIESCED_KEY, why);
		return -1;
	}
	s = fe_read_cb(&rd, "state");
	st = s != NULL ? parse_xenbus_state(s) : -1;
	free(s);
	if (st != XenbusStateInitialised && st != XenbusStateConnected) {
		log_devwarnx(type, domid, devid, "%s record, but the "
		    "frontend is in state %d", XB_QUIESCED_KEY, st);
		return -1;
	}
	if (match(rec, fe_read_cb, &rd, &why) != 1) {
		log_devwarnx(type, domid, devid, "%s record does not match "
		    "the frontend (%s)", XB_QUIESCED_KEY, why);
		return -1;
	}
	return 0;
}
