/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the Docker seccomp profile reader: parse any bytes;
 * what parses is compiled and evaluated too (the whole path a hand-edited
 * profile takes in `verify`, `diff` and `record --baseline`).
 *
 * Built with -DMINPRIV_FUZZ=ON (clang). Without it the same file is built
 * with a main() that replays a corpus (tests/fuzz/corpus/seccomp_profile) as a
 * regression test. */
#include <dirent.h>

#include "fileio.h"
#include "seccomp-profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        seccomp_profile *p = NULL;
        mp_error err = { 0 };
        if (seccomp_profile_load_buffer((const char *)data, size, "fuzz", &p, &err) < 0)
                return 0;
        seccomp_program *prog = NULL;
        seccomp_env env = { .runc_enosys = size & 1, .kernel_major = 5, .kernel_minor = 10 };
        if (seccomp_program_compile(p, &env, &prog, &err) == 0) {
                static const char *const names[] = { "read", "socket", "clone", "mmap2", "personality" };
                uint64_t args[6] = { 2, 1, 0, 0, 0, 0 };
                for (size_t i = 0; i < ELEMENTSOF(names); i++)
                        for (int abi = 0; abi < _TRACE_ABI_MAX; abi++) {
                                seccomp_verdict v;
                                (void)seccomp_program_eval(prog, (trace_abi)abi, names[i], args, &v);
                        }
                bool always;
                (void)seccomp_program_allows(prog, TRACE_ABI_X86_64, 41, &always);
                seccomp_program_free(prog);
        }
        seccomp_profile_free(p);
        return 0;
}

#ifndef MINPRIV_FUZZING
int main(int argc, char **argv)
{
        int n = 0;
        for (int i = 1; i < argc; i++) {
                DIR *d = opendir(argv[i]);
                if (!d) {
                        fprintf(stderr, "cannot open %s\n", argv[i]);
                        return 1;
                }
                struct dirent *e;
                while ((e = readdir(d))) {
                        if (e->d_name[0] == '.')
                                continue;
                        _cleanup_free_ char *path = xasprintf("%s/%s", argv[i], e->d_name);
                        _cleanup_free_ char *data = NULL;
                        size_t size;
                        if (read_file_full(path, 1u << 26, &data, &size) < 0)
                                continue;
                        LLVMFuzzerTestOneInput((const uint8_t *)data, size);
                        n++;
                }
                closedir(d);
        }
        printf("replayed %d inputs\n", n);
        return n > 0 ? 0 : 1;
}
#endif
