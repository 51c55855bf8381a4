/* A 32-bit (i386) program: all its syscalls use the i386 ABI. */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
        char buf[64];
        int fd = open("/etc/hostname", O_RDONLY);
        ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf) : 0;
        if (fd >= 0)
                close(fd);
        printf("hello from 32-bit code (%zd bytes of hostname)\n", n);
        return 0;
}
