/* SPDX-License-Identifier: MIT */
/* Sampled resource peaks: the summed RSS of all live processes and the most
 * fds any one of them held. Called from the tracing loop on a timer; exact
 * counts (processes, threads) are kept by the loop itself, CPU time and the
 * largest single RSS come from getrusage(RUSAGE_CHILDREN) at the end. */
#include <dirent.h>
#include <fcntl.h>

#include "tracer/internal.h"

static uint64_t rss_kib(pid_t pid)
{
        char path[64], buf[128];
        snprintf(path, sizeof path, "/proc/%d/statm", pid);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        ssize_t n = read(fd, buf, sizeof buf - 1);
        if (n <= 0)
                return 0;
        buf[n] = '\0';
        unsigned long size, resident;
        if (sscanf(buf, "%lu %lu", &size, &resident) != 2)
                return 0;
        return (uint64_t)resident * (uint64_t)(sysconf(_SC_PAGESIZE) / 1024);
}

static uint32_t count_fds(pid_t pid)
{
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/fd", pid);
        DIR *d = opendir(path);
        if (!d)
                return 0;
        uint32_t n = 0;
        struct dirent *de;
        while ((de = readdir(d)))
                if (de->d_name[0] != '.')
                        n++;
        closedir(d);
        return n;
}

void resources_sample(recorder *r)
{
        uint64_t sum = 0;
        size_t pos = 0;
        void *v;
        while (intmap_next(r->procs, &pos, NULL, &v)) {
                proc *p = v;
                sum += rss_kib(p->tgid);
                uint32_t fds = count_fds(p->tgid);
                if (fds > r->max_fds)
                        r->max_fds = fds;
        }
        if (sum > r->sum_rss_kib_peak)
                r->sum_rss_kib_peak = sum;
}
