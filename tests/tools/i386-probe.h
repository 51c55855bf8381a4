/* SPDX-License-Identifier: MIT */
/* Whether this kernel runs i386 code (IA32 emulation): some x86_64 kernels
 * are built or booted without it (`ia32_emulation=0`), and then a 32-bit
 * executable fails with ENOEXEC and `int $0x80` from 64-bit code is killed
 * by SIGSEGV. Tests that need the kernel to run i386 code skip on such a
 * host; tests that only read or evaluate i386 data do not need this.
 *
 * i386_probe(why, n) returns 1 when both an `int $0x80` getpid in a forked
 * child and the exec of a tiny static i386 ELF (from a memfd) work, 0 when
 * either is refused, with a one-line reason in why. Header-only: the probe
 * tool (i386-probe.c) and the unit tests include it. */
#ifndef MINPRIV_I386_PROBE_H
#define MINPRIV_I386_PROBE_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static inline long i386_probe_int80(long nr)
{
        long ret;
        __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(0), "c"(0), "d"(0), "S"(0), "D"(0) : "memory");
        return (int)ret;
}

/* int $0x80 getpid in a child, which the kernel kills when it has no i386
 * entry. */
static inline int i386_probe_int80_works(char *why, size_t n)
{
        pid_t pid = fork();
        if (pid < 0) {
                snprintf(why, n, "int $0x80: fork: %s", strerror(errno));
                return 0;
        }
        if (pid == 0) {
                signal(SIGSEGV, SIG_DFL);
                signal(SIGILL, SIG_DFL);
                _exit(i386_probe_int80(20) == getpid() ? 0 : 1);
        }
        int st;
        if (waitpid(pid, &st, 0) != pid) {
                snprintf(why, n, "int $0x80: waitpid: %s", strerror(errno));
                return 0;
        }
        if (WIFSIGNALED(st)) {
                snprintf(why, n, "int $0x80 from 64-bit code is killed by signal %d (%s): no IA32 emulation",
                         WTERMSIG(st), strsignal(WTERMSIG(st)));
                return 0;
        }
        if (WEXITSTATUS(st) != 0) {
                snprintf(why, n, "int $0x80 getpid does not return the pid (no IA32 emulation)");
                return 0;
        }
        return 1;
}

/* A static i386 ELF executable: one PT_LOAD segment at 0x08048000 whose code
 * (after the 84 bytes of headers) is `mov eax,1; mov ebx,42; int 0x80`, i.e.
 * exit(42). */
static const unsigned char i386_probe_elf[] = {
        /* Elf32_Ehdr */
        0x7f, 'E', 'L', 'F', 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* e_ident: 32-bit, LSB, version 1 */
        2, 0, 3, 0, 1, 0, 0, 0,                                  /* ET_EXEC, EM_386, EV_CURRENT */
        0x54, 0x80, 0x04, 0x08,                                  /* e_entry 0x08048054 */
        52, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,                     /* e_phoff, e_shoff, e_flags */
        52, 0, 32, 0, 1, 0, 0, 0, 0, 0, 0, 0,                    /* ehsize, phentsize, phnum 1, no sections */
        /* Elf32_Phdr */
        1, 0, 0, 0, 0, 0, 0, 0,                         /* PT_LOAD, offset 0 */
        0x00, 0x80, 0x04, 0x08, 0x00, 0x80, 0x04, 0x08, /* vaddr, paddr */
        96, 0, 0, 0, 96, 0, 0, 0,                       /* filesz, memsz */
        5, 0, 0, 0, 0x00, 0x10, 0, 0,                   /* R+X, align 4096 */
        /* code */
        0xb8, 1, 0, 0, 0,  /* mov eax, 1 (exit) */
        0xbb, 42, 0, 0, 0, /* mov ebx, 42 */
        0xcd, 0x80,        /* int 0x80 */
};

/* The ELF above run from a memfd: 1 when it exits 42, 0 with the reason when
 * the kernel refuses it, -1 when this host cannot tell (no memfd, or memfd
 * exec forbidden by vm.memfd_noexec). */
static inline int i386_probe_exec_works(char *why, size_t n)
{
        int fd = (int)syscall(SYS_memfd_create, "minpriv-i386-probe", 0);
        if (fd < 0)
                return -1;
        if (write(fd, i386_probe_elf, sizeof i386_probe_elf) != (ssize_t)sizeof i386_probe_elf) {
                close(fd);
                return -1;
        }
        int pfd[2];
        if (pipe2(pfd, O_CLOEXEC) != 0) {
                close(fd);
                return -1;
        }
        pid_t pid = fork();
        if (pid == 0) {
                char *const argv[] = { "i386-probe", NULL }, *const envp[] = { NULL };
                syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
                int e = errno;
                (void)!write(pfd[1], &e, sizeof e);
                _exit(127);
        }
        close(pfd[1]);
        close(fd);
        int e = 0;
        ssize_t got = pid > 0 ? read(pfd[0], &e, sizeof e) : -1;
        close(pfd[0]);
        int st = 0;
        if (pid < 0 || waitpid(pid, &st, 0) != pid)
                return -1;
        if (got == (ssize_t)sizeof e) {
                if (e == ENOEXEC) {
                        snprintf(why, n, "a 32-bit executable gives \"%s\" (no IA32 emulation)", strerror(e));
                        return 0;
                }
                return -1;
        }
        if (WIFEXITED(st) && WEXITSTATUS(st) == 42)
                return 1;
        snprintf(why, n, "a 32-bit executable does not run (%s %d)", WIFSIGNALED(st) ? "signal" : "status",
                 WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
        return 0;
}

static inline int i386_probe(char *why, size_t n)
{
        if (!i386_probe_int80_works(why, n))
                return 0;
        if (i386_probe_exec_works(why, n) == 0)
                return 0;
        snprintf(why, n, "the kernel runs i386 code");
        return 1;
}

#endif
