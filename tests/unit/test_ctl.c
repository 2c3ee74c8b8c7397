/*
 * test_ctl.c - the control socket listener (common/ctl.c) against slow and
 * hostile clients, in one process: the listener runs on a real event loop
 * and the clients are non-blocking sockets driven between loop turns.  A
 * client that sends nothing, sends too much or holds every slot never
 * keeps the next one from its answer for longer than the deadlines.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ctl.h"
#include "ctlfmt.h"
#include "ev.h"
#include "log.h"

static struct ev_base *base;
static struct ctl *ctl;
static char path[108];
static struct ctl_conn *held;	/* a request answered later */
static bool hold_next;
static unsigned int nreq;

static void
request(struct ctl_conn *c, const struct ctl_req *r, void *arg)
{
	struct cbuf b;

	(void)arg;
	nreq++;
	if (hold_next) {
		hold_next = false;
		held = c;
		return;
	}
	cbuf_init(&b, 1024);
	cbuf_printf(&b, "ok %s %u\n", r->kind == CTL_REQ_METRICS ? "metrics" :
	    "status", r->has_domid ? r->domid : 9999);
	ctl_reply(c, &b);
}

static void
stop_cb(int fd, void *arg)
{
	(void)fd;
	ev_break(arg);
}

/* Run the loop for ms. */
static void
spin(unsigned int ms)
{
	struct ev *t = ev_timer(base, stop_cb, base);

	assert_non_null(t);
	ev_timer_arm(t, ms);
	ev_dispatch(base);
	ev_free(t);
}

static int
client(void)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	return fd;
}

/* What fd got so far, after letting the loop run for ms. */
static const char *
got(int fd, unsigned int ms)
{
	static char buf[256];
	ssize_t n;

	spin(ms);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

static int
setup(void **state)
{
	(void)state;
	log_init("test_ctl", 1, 0);
	snprintf(path, sizeof(path), "/tmp/test_ctl.%ld.sock", (long)getpid());
	base = ev_base_new();
	ctl = ctl_new(base, path, request, NULL);
	return base != NULL && ctl != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	ctl_free(ctl);
	ev_base_free(base);
	return 0;
}

static void
test_mode(void **state)
{
	struct stat st;

	(void)state;
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
}

static void
test_requests(void **state)
{
	int fd;

	(void)state;
	fd = client();
	assert_int_equal(send(fd, "status 7\n", 9, 0), 9);
	assert_string_equal(got(fd, 50), "ok status 7\n");
	/* EOF after the reply. */
	assert_int_equal(recv(fd, &(char){ 0 }, 1, 0), 0);
	close(fd);

	/* A request split across writes. */
	fd = client();
	assert_int_equal(send(fd, "metr", 4, 0), 4);
	spin(20);
	assert_int_equal(send(fd, "ics\n", 4, 0), 4);
	assert_string_equal(got(fd, 50), "ok metrics 9999\n");
	close(fd);

	fd = client();
	assert_int_equal(send(fd, "reboot\n", 7, 0), 7);
	assert_non_null(strstr(got(fd, 50), "error: unknown request"));
	close(fd);
}

static void
test_too_long(void **state)
{
	char big[CTL_REQ_MAX * 2];
	int fd;

	(void)state;
	memset(big, 's', sizeof(big));
	fd = client();
	assert_true(send(fd, big, sizeof(big), 0) > 0);
	assert_string_equal(got(fd, 50), "error: request too long\n");
	close(fd);
}

static void
test_silent_clients(void **state)
{
	int quiet[CTL_CONNS_MAX], fd, i;
	unsigned int before = nreq;

	(void)state;
	/* One silent client does not hold up the next. */
	quiet[0] = client();
	fd = client();
	assert_int_equal(send(fd, "status\n", 7, 0), 7);
	assert_string_equal(got(fd, 50), "ok status 9999\n");
	close(fd);
	/* Every slot taken by silent clients: the next waits in the backlog... */
	for (i = 1; i < CTL_CONNS_MAX; i++)
		quiet[i] = client();
	fd = client();
	assert_int_equal(send(fd, "status\n", 7, 0), 7);
	assert_string_equal(got(fd, 200), "");
	/* ...until the deadline closes them; then it is answered. */
	assert_string_equal(got(fd, CTL_READ_MS + 300), "ok status 9999\n");
	close(fd);
	for (i = 0; i < CTL_CONNS_MAX; i++) {
		/* Closed by the listener: EOF, never an answer. */
		assert_int_equal(recv(quiet[i], &(char){ 0 }, 1, 0), 0);
		close(quiet[i]);
	}
	assert_int_equal(nreq, before + 2);
}

static void
test_deferred(void **state)
{
	struct cbuf b;
	int fd;

	(void)state;
	/* The daemon answers later: the read deadline does not cut it off. */
	hold_next = true;
	fd = client();
	assert_int_equal(send(fd, "status 3\n", 9, 0), 9);
	assert_string_equal(got(fd, CTL_READ_MS + 200), "");
	assert_non_null(held);
	cbuf_init(&b, 64);
	cbuf_puts(&b, "late\n");
	ctl_reply(held, &b);
	held = NULL;
	assert_string_equal(got(fd, 50), "late\n");
	close(fd);
	/* A reply too large for its buffer becomes an error line. */
	hold_next = true;
	fd = client();
	assert_int_equal(send(fd, "status\n", 7, 0), 7);
	spin(20);
	cbuf_init(&b, 4);
	cbuf_puts(&b, "0123456789");
	ctl_reply(held, &b);
	held = NULL;
	assert_string_equal(got(fd, 50),
	    "error: reply too large or out of memory\n");
	close(fd);
}

static void
test_gone_client(void **state)
{
	int fd;

	(void)state;
	/* A client that leaves before its reply costs nothing. */
	fd = client();
	assert_int_equal(send(fd, "status\n", 7, 0), 7);
	close(fd);
	spin(50);
	fd = client();
	assert_int_equal(send(fd, "status\n", 7, 0), 7);
	assert_string_equal(got(fd, 50), "ok status 9999\n");
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mode),
		cmocka_unit_test(test_requests),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_silent_clients),
		cmocka_unit_test(test_deferred),
		cmocka_unit_test(test_gone_client),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
