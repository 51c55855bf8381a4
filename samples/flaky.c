/* A deterministic stand-in for a timing-dependent path: the program keeps a
 * run counter in the file named by argv[1] and, on odd runs only, signals
 * itself with kill(pid, 0) and stats a marker path; every run writes the
 * counter back. Recorded with `record --repeat N`, kill and the marker are
 * seen in ceil(N/2) of N runs and must show as unstable; everything else
 * in all of them. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
        if (argc < 2) {
                fprintf(stderr, "usage: flaky COUNTER_FILE\n");
                return 2;
        }
        long n = 0;
        FILE *f = fopen(argv[1], "r");
        if (f) {
                if (fscanf(f, "%ld", &n) != 1)
                        n = 0;
                fclose(f);
        }
        n++;
        if (n % 2 == 1) {
                struct stat sb;
                char marker[4096];
                snprintf(marker, sizeof marker, "%s.odd", argv[1]);
                kill(getpid(), 0);
                stat(marker, &sb);
        }
        f = fopen(argv[1], "w");
        if (!f)
                return 1;
        fprintf(f, "%ld\n", n);
        fclose(f);
        printf("flaky: run %ld\n", n);
        return 0;
}
