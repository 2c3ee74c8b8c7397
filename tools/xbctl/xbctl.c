/*
 * xbctl.c - status of the userland backends (xbctl(8)): asks each
 * daemon's control socket (common/ctl.h, docs/ARCHITECTURE.md "Control
 * socket") for "status" or "metrics" and prints a table per domain, the
 * JSON as the daemons sent it (-j), or one Prometheus text exposition with
 * each metric family once.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "json.h"

#define XBCTL_TIMEOUT_MS	5000
#define XBCTL_REPLY_MAX		(16u << 20)

static const char *const daemons[] = { "blkbackd", "netbackd", "consoled" };
#define NDAEMONS	(sizeof(daemons) / sizeof(daemons[0]))

struct reply {
	const char	*daemon;
	char		*text;
	size_t		 len;
	struct json	 j;		/* status */
};

static __attribute__((noreturn)) void
usage(void)
{
	fprintf(stderr, "usage: xbctl [-j] [-d daemon] [-s socket] "
	    "[status [domid] | metrics]\n");
	exit(2);
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/*
 * Send req to the socket at path and read the reply until EOF.  Returns 0,
 * 1 if nothing listens there (not running), -1 on error (reported).
 */
static int
ask(const char *path, const char *req, struct reply *r)
{
	struct sockaddr_un sun;
	struct pollfd pfd;
	uint64_t deadline = now_ms() + XBCTL_TIMEOUT_MS;
	size_t cap = 0;
	ssize_t n;
	char *p;
	int fd, left;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "xbctl: %s: path too long\n", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		fprintf(stderr, "xbctl: socket: %s\n", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		int e = errno;

		close(fd);
		if (e == ENOENT || e == ECONNREFUSED)
			return 1;
		fprintf(stderr, "xbctl: %s: %s\n", path, strerror(e));
		return -1;
	}
	if (write(fd, req, strlen(req)) != (ssize_t)strlen(req)) {
		fprintf(stderr, "xbctl: %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	r->len = 0;
	for (;;) {
		if (r->len + 65536 + 1 > cap) {
			cap = cap == 0 ? 65536 + 1 : cap * 2;
			if (cap > XBCTL_REPLY_MAX ||
			    (p = realloc(r->text, cap)) == NULL) {
				fprintf(stderr, "xbctl: %s: reply too large\n",
				    path);
				close(fd);
				return -1;
			}
			r->text = p;
		}
		pfd.fd = fd;
		pfd.events = POLLIN;
		left = (int)(deadline > now_ms() ? deadline - now_ms() : 0);
		if (poll(&pfd, 1, left) <= 0) {
			fprintf(stderr, "xbctl: %s: no reply within %u ms\n",
			    path, XBCTL_TIMEOUT_MS);
			close(fd);
			return -1;
		}
		if ((n = read(fd, r->text + r->len, 65536)) == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "xbctl: %s: %s\n", path,
			    strerror(errno));
			close(fd);
			return -1;
		}
		if (n == 0)
			break;
		r->len += (size_t)n;
	}
	close(fd);
	r->text[r->len] = '\0';
	if (strncmp(r->text, "error:", 6) == 0) {
		fprintf(stderr, "xbctl: %s: %s", r->daemon, r->text);
		return -1;
	}
	return 0;
}

/* ---- metrics: one exposition, each family once ---- */

struct family {
	char	*name;
	char	*head;		/* its HELP and TYPE lines */
	char	*samples;
	size_t	 slen;
	bool	 help, type;
};

static void
append(char **dst, size_t *len, const char *s, size_t n)
{
	char *p = realloc(*dst, *len + n + 1);

	if (p == NULL) {
		fprintf(stderr, "xbctl: out of memory\n");
		exit(1);
	}
	memcpy(p + *len, s, n);
	*len += n;
	p[*len] = '\0';
	*dst = p;
}

static struct family *
family(struct family **fs, size_t *nf, const char *name, size_t nlen)
{
	struct family *f;
	size_t i;

	for (i = 0; i < *nf; i++)
		if (strlen((*fs)[i].name) == nlen &&
		    memcmp((*fs)[i].name, name, nlen) == 0)
			return &(*fs)[i];
	if ((f = realloc(*fs, (*nf + 1) * sizeof(*f))) == NULL ||
	    (f[*nf].name = strndup(name, nlen)) == NULL) {
		fprintf(stderr, "xbctl: out of memory\n");
		exit(1);
	}
	*fs = f;
	f = &f[(*nf)++];
	f->head = NULL;
	f->samples = NULL;
	f->slen = 0;
	f->help = f->type = false;
	return f;
}

static void
print_metrics(struct reply *rs, unsigned int nr)
{
	struct family *fs = NULL, *cur = NULL;
	size_t nf = 0, i, hlen;
	unsigned int k;

	for (k = 0; k < nr; k++) {
		char *line = rs[k].text, *nl;

		for (; *line != '\0'; line = nl + 1) {
			const char *name;
			size_t nlen;
			bool *seen;

			if ((nl = strchr(line, '\n')) == NULL)
				nl = line + strlen(line);
			if (strncmp(line, "# HELP ", 7) == 0 ||
			    strncmp(line, "# TYPE ", 7) == 0) {
				name = line + 7;
				nlen = strcspn(name, " \n");
				cur = family(&fs, &nf, name, nlen);
				/* The first daemon's HELP and TYPE stand. */
				seen = line[2] == 'H' ? &cur->help : &cur->type;
				if (!*seen) {
					hlen = cur->head != NULL ?
					    strlen(cur->head) : 0;
					append(&cur->head, &hlen, line,
					    (size_t)(nl - line));
					append(&cur->head, &hlen, "\n", 1);
					*seen = true;
				}
			} else if (line[0] != '#' && nl > line && cur != NULL) {
				append(&cur->samples, &cur->slen, line,
				    (size_t)(nl - line));
				append(&cur->samples, &cur->slen, "\n", 1);
			}
			if (*nl == '\0')
				break;
		}
		cur = NULL;
	}
	for (i = 0; i < nf; i++) {
		if (fs[i].head != NULL)
			fputs(fs[i].head, stdout);
		if (fs[i].samples != NULL)
			fputs(fs[i].samples, stdout);
		free(fs[i].name);
		free(fs[i].head);
		free(fs[i].samples);
	}
	free(fs);
}

/* ---- status: a table per domain ---- */

struct dev {
	const char		*daemon;
	const char		*type;
	unsigned long		 domid, devid;
	const struct json	*j;
};

static int
dev_cmp(const void *a, const void *b)
{
	const struct dev *x = a, *y = b;

	if (x->domid != y->domid)
		return x->domid < y->domid ? -1 : 1;
	if (strcmp(x->type, y->type) != 0)
		return strcmp(x->type, y->type);
	return x->devid < y->devid ? -1 : x->devid > y->devid;
}

static const char *
num_or(const struct json *v, const char *def)
{
	if (v != NULL && v->type == JSON_NUM)
		return v->s;
	if (v != NULL && v->type == JSON_STR)
		return v->s;
	return def;
}

/* "name=v" or "name[label]=v ..." for one object of values. */
static void
print_values(const char *title, const struct json *o)
{
	unsigned int i, k, col = 6;
	char buf[256];

	if (o == NULL || o->type != JSON_OBJ || o->n == 0)
		return;
	printf("      %s:", title);
	col += strlen(title) + 1;
	for (i = 0; i < o->n; i++) {
		const struct json *v = &o->kids[i];

		for (k = 0; k < (v->type == JSON_OBJ ? v->n : 1); k++) {
			if (v->type == JSON_OBJ)
				snprintf(buf, sizeof(buf), "%s[%s]=%s",
				    o->keys[i], v->keys[k],
				    num_or(&v->kids[k], "?"));
			else
				snprintf(buf, sizeof(buf), "%s=%s", o->keys[i],
				    num_or(v, "?"));
			if (col + 1 + strlen(buf) > 100) {
				printf("\n        ");
				col = 8;
			}
			printf(" %s", buf);
			col += 1 + strlen(buf);
		}
	}
	printf("\n");
}

static void
print_status(struct reply *rs, unsigned int nr)
{
	struct dev *ds = NULL;
	size_t nd = 0, i;
	unsigned int k, m;
	bool first = true;

	for (k = 0; k < nr; k++) {
		const struct json *devs = json_get(&rs[k].j, "devices");
		const char *type = json_str(json_get(&rs[k].j, "type"), "?");

		if (devs == NULL || devs->type != JSON_ARR)
			continue;
		if ((ds = realloc(ds, (nd + devs->n + 1) * sizeof(*ds))) ==
		    NULL) {
			fprintf(stderr, "xbctl: out of memory\n");
			exit(1);
		}
		for (m = 0; m < devs->n; m++) {
			const struct json *d = &devs->kids[m];

			ds[nd].daemon = rs[k].daemon;
			ds[nd].type = type;
			ds[nd].domid = strtoul(num_or(json_get(d, "domid"),
			    "0"), NULL, 10);
			ds[nd].devid = strtoul(num_or(json_get(d, "devid"),
			    "0"), NULL, 10);
			ds[nd].j = d;
			nd++;
		}
	}
	if (nd == 0) {
		printf("no devices\n");
		free(ds);
		return;
	}
	qsort(ds, nd, sizeof(*ds), dev_cmp);
	for (i = 0; i < nd; i++) {
		const struct json *d = ds[i].j, *w = json_get(d, "worker");
		const char *err = json_str(json_get(d, "stats_error"), NULL);
		const char *death = json_str(json_get(w, "last_death"), "");
		char dev[48];

		if (first || ds[i].domid != ds[i - 1].domid) {
			printf("%sdomain %lu\n", first ? "" : "\n",
			    ds[i].domid);
			printf("  %-14s %-13s %-13s %-8s %-22s %s\n", "DEVICE",
			    "STATE", "FRONTEND", "WORKER", "STATUS",
			    "RESTARTS");
			first = false;
		}
		snprintf(dev, sizeof(dev), "%s/%lu", ds[i].type, ds[i].devid);
		printf("  %-14s %-13s %-13s %-8s %-22s %s\n", dev,
		    json_str(json_get(d, "state"), "-"),
		    json_str(json_get(d, "frontend_state"), "-"),
		    num_or(json_get(w, "pid"), "-"),
		    json_str(json_get(w, "status"), "-"),
		    num_or(json_get(w, "restarts"), "-"));
		if (death[0] != '\0')
			printf("      last death: %s\n", death);
		if (err != NULL)
			printf("      stats refused: %s\n", err);
		print_values("info", json_get(d, "info"));
		print_values("gauges", json_get(d, "gauges"));
		print_values("counters", json_get(d, "counters"));
	}
	free(ds);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct reply rs[NDAEMONS];
	const char *only = NULL, *sock = NULL, *cmd = "status";
	char req[64], path[108], err[128];
	bool json = false, metrics;
	unsigned int i, nr = 0;
	unsigned long domid;
	char *end;
	int ch, rc, status = 0;

	while ((ch = getopt_long(argc, argv, "d:hjs:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			only = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 's':
			sock = optarg;
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 0)
		cmd = argv[0];
	metrics = strcmp(cmd, "metrics") == 0;
	if (metrics && argc == 1)
		snprintf(req, sizeof(req), "metrics\n");
	else if (strcmp(cmd, "status") == 0 && argc <= 1)
		snprintf(req, sizeof(req), "status\n");
	else if (strcmp(cmd, "status") == 0 && argc == 2) {
		errno = 0;
		domid = strtoul(argv[1], &end, 10);
		if (argv[1][0] < '0' || argv[1][0] > '9' || *end != '\0' ||
		    errno != 0 || domid > 0x7fef) {
			fprintf(stderr, "xbctl: %s: not a domain id\n", argv[1]);
			return 2;
		}
		snprintf(req, sizeof(req), "status %lu\n", domid);
	} else
		usage();
	if (sock != NULL && only == NULL) {
		fprintf(stderr, "xbctl: -s needs -d (whose socket it is)\n");
		return 2;
	}
	if (only != NULL) {
		for (i = 0; i < NDAEMONS; i++)
			if (strcmp(only, daemons[i]) == 0)
				break;
		if (i == NDAEMONS) {
			fprintf(stderr, "xbctl: -d %s: expected blkbackd, "
			    "netbackd or consoled\n", only);
			return 2;
		}
	}

	memset(rs, 0, sizeof(rs));
	for (i = 0; i < NDAEMONS; i++) {
		if (only != NULL && strcmp(only, daemons[i]) != 0)
			continue;
		if (sock != NULL)
			snprintf(path, sizeof(path), "%s", sock);
		else
			snprintf(path, sizeof(path), "/run/%s/control.sock",
			    daemons[i]);
		rs[nr].daemon = daemons[i];
		rc = ask(path, req, &rs[nr]);
		if (rc == 1 && only != NULL) {
			fprintf(stderr, "xbctl: %s: not running (%s)\n",
			    daemons[i], path);
			status = 1;
		}
		if (rc != 0) {
			if (rc == -1)
				status = 1;
			free(rs[nr].text);
			rs[nr].text = NULL;
			continue;
		}
		if (!metrics && json_parse(rs[nr].text, rs[nr].len, &rs[nr].j,
		    err, sizeof(err)) == -1) {
			fprintf(stderr, "xbctl: %s: reply is not JSON: %s\n",
			    daemons[i], err);
			free(rs[nr].text);
			rs[nr].text = NULL;
			status = 1;
			continue;
		}
		nr++;
	}
	if (nr == 0 && status == 0) {
		fprintf(stderr, "xbctl: no daemon is running (no control "
		    "socket in /run/blkbackd, /run/netbackd, /run/consoled)\n");
		status = 1;
	}
	if (metrics) {
		print_metrics(rs, nr);
	} else if (json) {
		printf("{\"daemons\":[");
		for (i = 0; i < nr; i++) {
			while (rs[i].len > 0 && rs[i].text[rs[i].len - 1] ==
			    '\n')
				rs[i].text[--rs[i].len] = '\0';
			printf("%s%s", i > 0 ? "," : "", rs[i].text);
		}
		printf("]}\n");
	} else if (nr > 0) {
		print_status(rs, nr);
	}
	for (i = 0; i < nr; i++) {
		json_free(&rs[i].j);
		free(rs[i].text);
	}
	return status;
}
