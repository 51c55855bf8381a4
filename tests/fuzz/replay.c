/* SPDX-License-Identifier: MIT */
/* Replays fuzzer inputs without libFuzzer: every file named on the command
 * line (directories are walked one level) goes through the harness once.
 * Built in every configuration, so the seed corpora and the regression
 * inputs of past crashes run in the normal and sanitizer test suites. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/fileio.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int run_file(const char *path)
{
        char *data = NULL;
        size_t size = 0;
        int r = read_file_full(path, 64u * 1024 * 1024, &data, &size);
        if (r < 0) {
                fprintf(stderr, "replay: %s: %s\n", path, strerror(-r));
                return 1;
        }
        LLVMFuzzerTestOneInput((const uint8_t *)data, size);
        free(data);
        return 0;
}

int main(int argc, char **argv)
{
        int bad = 0, n = 0;
        for (int i = 1; i < argc; i++) {
                struct stat st;
                if (stat(argv[i], &st) < 0)
                        continue;
                if (!S_ISDIR(st.st_mode)) {
                        bad |= run_file(argv[i]);
                        n++;
                        continue;
                }
                DIR *d = opendir(argv[i]);
                if (!d)
                        continue;
                struct dirent *de;
                while ((de = readdir(d))) {
                        if (de->d_name[0] == '.')
                                continue;
                        char path[4096];
                        snprintf(path, sizeof path, "%s/%s", argv[i], de->d_name);
                        bad |= run_file(path);
                        n++;
                }
                closedir(d);
        }
        printf("replayed %d inputs\n", n);
        return bad;
}
