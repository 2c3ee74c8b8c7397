/*
 * bkargs.c - the options and configuration keys blkbackd and netbackd
 * share (bkargs.h).
 */
#include <stdio.h>
#include <string.h>

#include "bkargs.h"
#include "conf.h"
#include "parse.h"
#include "sandbox.h"

const struct option bk_longopts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ "handover", required_argument, NULL, BK_OPT_HANDOVER },
	{ "print-sandbox", no_argument, NULL, BK_OPT_SANDBOX },
	{ "print-capabilities", no_argument, NULL, BK_OPT_CAPS },
	{ NULL, 0, NULL, 0 }
};

void
bk_init(struct bk_args *a, unsigned int queues, unsigned int queues_max,
    const char *user)
{
	memset(a, 0, sizeof(*a));
	a->max_queues = queues;
	a->queues_max = queues_max;
	a->user = user;
}

int
bk_arg(struct bk_args *a, int ch, const char *arg, char *err, size_t errlen)
{
	uint64_t v;

	switch (ch) {
	case 'A':
		a->reattach = true;
		break;
	case 'd':
		a->foreground = true;
		break;
	case 'F':
		a->force = true;
		break;
	case 'f':
		a->conf = arg;
		break;
	case 'n':
		a->checkonly = true;
		break;
	case 'q':
		if (parse_uint(arg, a->queues_max, &v) == -1 || v == 0) {
			snprintf(err, errlen, "-q %s: expected a number of "
			    "queues from 1 to %u", arg, a->queues_max);
			return -1;
		}
		a->max_queues = (unsigned int)v;
		a->set |= BK_SET_QUEUES;
		break;
	case 'r':
		a->request = true;
		break;
	case 'R':
		a->resume = true;
		break;
	case 'S':
		if (sandbox_ugid(arg, &a->uid, &a->gid) == -1) {
			snprintf(err, errlen, "-S %s: expected uid:gid", arg);
			return -1;
		}
		a->ugid = true;
		break;
	case 'T':
		a->test = true;
		break;
	case 'u':
		a->user = arg;
		a->set |= BK_SET_USER;
		break;
	case 'v':
		a->verbose++;
		break;
	case 'W':
		a->worker = arg;
		break;
	case BK_OPT_HANDOVER:
		a->handover = arg;
		break;
	case BK_OPT_SANDBOX:
		a->print_sandbox = true;
		break;
	case BK_OPT_CAPS:
		a->print_caps = true;
		break;
	default:
		return 0;
	}
	return 1;
}

struct conf *
bk_conf(struct bk_args *a, const char *sec, char *err, size_t errlen)
{
	static const char *const sections[] = XB_CONF_SECTIONS;
	struct conf *c;
	const char *user;
	uint64_t v;
	int r;

	c = conf_load(a->conf != NULL ? a->conf : XB_CONF_FILE, a->conf != NULL,
	    sections, err, errlen);
	if (c == NULL)
		return NULL;
	/*
	 * Every key is read, and checked, even when a flag overrides it: -n
	 * finds a bad file before the flag is dropped from the unit.
	 */
	if ((r = conf_uint(c, sec, "max-queues", 1, a->queues_max, &v)) == 1 &&
	    !(a->set & BK_SET_QUEUES))
		a->max_queues = (unsigned int)v;
	if (r != -1 && (r = conf_string(c, sec, "user", &user)) == 1 &&
	    !(a->set & BK_SET_USER))
		a->user = user;
	if (r == -1) {
		snprintf(err, errlen, "%s", conf_error(c));
		conf_free(c);
		return NULL;
	}
	return c;
}
