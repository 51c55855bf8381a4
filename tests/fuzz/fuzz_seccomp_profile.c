/* SPDX-License-Identifier: MIT */
/* libFuzzer harness for the Docker seccomp profile reader: parse any bytes;
 * what parses is compiled and evaluated too (the whole path a hand-edited
 * profile takes in `verify`, `diff` and `record --baseline`).
 * (See tests/fuzz/CMakeLists.txt for how harnesses are built and replayed.) */
#include <stdint.h>

#include "policy/seccomp-profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        mp_seccomp_profile *p = NULL;
        mp_error err = { 0 };
        if (mp_seccomp_profile_load_buffer((const char *)data, size, "fuzz", &p, &err) < 0)
                return 0;
        mp_seccomp_program *prog = NULL;
        mp_seccomp_env env = { .runc_enosys = size & 1, .kernel_major = 5, .kernel_minor = 10 };
        if (mp_seccomp_program_compile(p, &env, &prog, &err) == 0) {
                static const char *const names[] = { "read", "socket", "clone", "mmap2", "personality" };
                uint64_t args[6] = { 2, 1, 0, 0, 0, 0 };
                for (size_t i = 0; i < ELEMENTSOF(names); i++)
                        for (int abi = 0; abi < _TRACE_ABI_MAX; abi++) {
                                mp_seccomp_verdict v;
                                (void)mp_seccomp_program_eval(prog, (trace_abi)abi, names[i], args, &v);
                        }
                bool always;
                (void)mp_seccomp_program_allows(prog, TRACE_ABI_X86_64, 41, &always);
                mp_seccomp_program_free(prog);
        }
        mp_seccomp_profile_free(p);
        return 0;
}
