/*
 * journal.c - a sealed memfd for a worker's write-ahead journal.  See
 * journal.h.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "journal.h"

#define JOURNAL_PAGE	4096u

int
journal_create(size_t size, enum journal_type type, unsigned int domid,
    unsigned int devid)
{
	struct journal_hdr h;
	int fd, saved;

	if (size < sizeof(h)) {
		errno = EINVAL;
		return -1;
	}
	size = (size + JOURNAL_PAGE - 1) & ~(size_t)(JOURNAL_PAGE - 1);
	if ((fd = memfd_create("xb-journal", MFD_CLOEXEC |
	    MFD_ALLOW_SEALING)) == -1)
		return -1;
	h.magic = JOURNAL_MAGIC;
	h.version = JOURNAL_VERSION;
	h.size = size;
	h.type = type;
	h.domid = domid;
	h.devid = devid;
	h.gen = 0;
	h.flags = 0;
	h.pid = 0;
	if (ftruncate(fd, (off_t)size) == -1 ||
	    pwrite(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK |
	    F_SEAL_SEAL) == -1) {
		saved = errno;
		close(fd);
		errno = saved != 0 ? saved : EIO;
		return -1;
	}
	return fd;
}

struct journal_hdr *
journal_map(int fd, size_t *size)
{
	const int need = F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL;
	struct stat st;
	void *p;
	int seals;

	/* Unsealed, the size could change under the mapping (SIGBUS). */
	if ((seals = fcntl(fd, F_GET_SEALS)) == -1)
		return NULL;
	if ((seals & need) != need || fstat(fd, &st) == -1 ||
	    st.st_size < (off_t)sizeof(struct journal_hdr)) {
		errno = EINVAL;
		return NULL;
	}
	p = mmap(NULL, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED,
	    fd, 0);
	if (p == MAP_FAILED)
		return NULL;
	*size = (size_t)st.st_size;
	return p;
}

void
journal_unmap(struct journal_hdr *h, size_t size)
{
	if (h != NULL)
		munmap(h, size);
}

int
journal_check(const struct journal_hdr *h, size_t mapped, size_t min,
    enum journal_type type, unsigned int domid, unsigned int devid,
    const char **why)
{
	if (mapped < sizeof(*h) || mapped < min)
		*why = "too small";
	else if (h->magic != JOURNAL_MAGIC)
		*why = "bad magic";
	else if (h->version != JOURNAL_VERSION)
		*why = "unknown version";
	else if (h->size != mapped)
		*why = "size differs from the memfd's";
	else if (h->type != (uint32_t)type)
		*why = "wrong type";
	else if (h->domid != domid || h->devid != devid)
		*why = "another device's";
	else if ((journal_flags(h) & ~(JOURNAL_CONNECTED | JOURNAL_CLEAN)) != 0)
		*why = "unknown flags";
	else
		return 0;
	return -1;
}

void
journal_set(struct journal_hdr *h, uint32_t flags)
{
	__atomic_or_fetch(&h->flags, flags, __ATOMIC_RELEASE);
}

void
journal_clear(struct journal_hdr *h, uint32_t flags)
{
	__atomic_and_fetch(&h->flags, ~flags, __ATOMIC_RELEASE);
}

uint32_t
journal_flags(const struct journal_hdr *h)
{
	return __atomic_load_n(&h->flags, __ATOMIC_ACQUIRE);
}
