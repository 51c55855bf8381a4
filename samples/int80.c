/* Legacy 32-bit syscalls from 64-bit code through `int $0x80` (the i386
 * ABI), and one syscall with the x32 bit set (ENOSYS where the kernel has
 * no x32 support, but seccomp and ptrace see the x32 ABI either way). */
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

static long int80(long nr, long a, long b, long c)
{
        long ret;
        __asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
        return ret;
}

int main(void)
{
        static const char msg[] = "hello from int 0x80\n";
        long pid32 = int80(20, 0, 0, 0);                 /* i386 getpid */
        long w = int80(4, 1, (long)msg, sizeof msg - 1); /* i386 write; msg is below 4 GiB in a non-PIE binary */
        long x32 = syscall(0x40000000L | 39);            /* x32 getpid */
        printf("i386 getpid=%s write=%ld x32 getpid=%s\n", pid32 == getpid() ? "ok" : "mismatch", w,
               x32 == getpid() ? "ok" : "ENOSYS");
        return pid32 == getpid() ? 0 : 1;
}
