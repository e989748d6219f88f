/* nopivot PROGRAM [ARG...]: runs PROGRAM under a seccomp filter that
 * refuses pivot_root with EPERM, as the docker engine's default profile
 * does, and allows every other system call. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* The kernel's seccomp and classic BPF ABI (musl brings no linux/ headers). */
struct sock_filter {
	uint16_t code;
	uint8_t jt, jf;
	uint32_t k;
};
struct sock_fprog {
	unsigned short len;
	struct sock_filter *filter;
};
#define BPF_STMT(code, k)                                                                          \
	{                                                                                          \
		(uint16_t)(code), 0, 0, k                                                          \
	}
#define BPF_JUMP(code, k, jt, jf)                                                                  \
	{                                                                                          \
		(uint16_t)(code), jt, jf, k                                                        \
	}
#define LD_NR		    0x20 /* BPF_LD|BPF_W|BPF_ABS */
#define JEQ		    0x15 /* BPF_JMP|BPF_JEQ|BPF_K */
#define RET		    0x06 /* BPF_RET|BPF_K */
#define SECCOMP_MODE_FILTER 2
#define SECCOMP_RET_ERRNO   0x00050000u
#define SECCOMP_RET_ALLOW   0x7fff0000u

int main(int argc, char **argv)
{
	struct sock_filter code[] = {
	    BPF_STMT(LD_NR, 0), /* seccomp_data.nr */
	    BPF_JUMP(JEQ, SYS_pivot_root, 0, 1),
	    BPF_STMT(RET, SECCOMP_RET_ERRNO | EPERM),
	    BPF_STMT(RET, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof code / sizeof code[0], code};

	if (argc < 2) {
		fprintf(stderr, "usage: nopivot PROGRAM [ARG...]\n");
		return 2;
	}
	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0) {
		perror("nopivot: seccomp");
		return 1;
	}
	execvp(argv[1], argv + 1);
	perror("nopivot: exec");
	return 127;
}
