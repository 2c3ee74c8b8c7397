/*
 * tinypv.S - the smallest x86_64 PV kernel libxenguest will load, for
 * bench-cons's idle consoles: created paused (xl create -p), its console
 * ring, event channel and xenstore keys exist before it ever runs, which
 * is all a console daemon sees.  Should it be unpaused it powers itself
 * off (SCHEDOP_shutdown through the hypercall page).
 *
 * The notes are what Xen's libelf reads (xen/include/public/elfnote.h;
 * layout as Mini-OS's arch/x86/x86_64.S): name "Xen", type, descriptor.
 * VIRT_BASE == PADDR_OFFSET: the ELF addresses are the virtual ones.
 */
#define XEN_ELFNOTE_ENTRY		1
#define XEN_ELFNOTE_HYPERCALL_PAGE	2
#define XEN_ELFNOTE_VIRT_BASE		3
#define XEN_ELFNOTE_PADDR_OFFSET	4
#define XEN_ELFNOTE_XEN_VERSION		5
#define XEN_ELFNOTE_GUEST_OS		6
#define XEN_ELFNOTE_LOADER		8

#define VIRT_BASE	0xffffffff80000000
#define HYPERVISOR_sched_op	29	/* xen.h */
#define SCHEDOP_shutdown	2	/* sched.h */

#define ELFNOTE(type, desc)			\
	.pushsection .note.Xen, "a", @note;	\
	.balign 4;				\
	.long 2f - 1f;	/* namesz */		\
	.long 4f - 3f;	/* descsz */		\
	.long type;				\
1:	.asciz "Xen";				\
2:	.balign 4;				\
3:	desc;					\
4:	.balign 4;				\
	.popsection

ELFNOTE(XEN_ELFNOTE_GUEST_OS, .asciz "tinypv")
ELFNOTE(XEN_ELFNOTE_XEN_VERSION, .asciz "xen-3.0")
ELFNOTE(XEN_ELFNOTE_LOADER, .asciz "generic")
ELFNOTE(XEN_ELFNOTE_VIRT_BASE, .quad VIRT_BASE)
ELFNOTE(XEN_ELFNOTE_PADDR_OFFSET, .quad VIRT_BASE)
ELFNOTE(XEN_ELFNOTE_ENTRY, .quad _start)
ELFNOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .quad hypercall_page)

	.text
	.globl _start
_start:
	/* the domain builder gives us a boot stack (rsp) */
	movl	$SCHEDOP_shutdown, %edi
	leaq	reason(%rip), %rsi
	call	hypercall_page + HYPERVISOR_sched_op * 32
1:	jmp	1b

	.balign 4
reason:	.long 0		/* SHUTDOWN_poweroff */

	.balign 4096
	.globl hypercall_page
hypercall_page:		/* filled by the domain builder */
	.fill 4096, 1, 0
