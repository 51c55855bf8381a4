/* SPDX-License-Identifier: MIT */
#include <stdarg.h>

#include "cli/cli.h"
#include "generated/minpriv-revision.h"

static const command commands[] = {
        { "record", cmd_record, "run a command and record what it does",
          "minpriv record [-o FILE] [--stacks] [--baseline FILE] [--no-seccomp] [--no-kernel-count]\n"
          "               [--no-bpf] [--workspace DIR|auto] [--repeat N]\n"
          "               [--image IMAGE [--engine docker|podman] [--user U] [--engine-arg ARG]...]\n"
          "               [-q] -- CMD [ARG...]\n"
          "\n"
          "Runs CMD under the tracer and writes the trace (default minpriv-trace.json),\n"
          "atomically, even when CMD fails or is killed. Exits with CMD's status\n"
          "(128+N when killed by signal N); 127/126 when CMD is not found / not\n"
          "executable; 2 for bad usage or an unwritable output path (checked before\n"
          "CMD starts); 125 when minpriv itself fails (ptrace not permitted, trace\n"
          "not written).\n"
          "\n"
          "  -o, --output FILE    where to write the trace\n"
          "      --stacks         capture a user-space stack at the first occurrence of\n"
          "                       each syscall per program, each file and capability reason\n"
          "      --baseline FILE  incremental: a previous trace or seccomp.json; syscalls it\n"
          "                       knows run without a stop unless the trace needs facts from\n"
          "                       them, and the result is merged with it\n"
          "      --no-seccomp     stop at every syscall with PTRACE_SYSCALL (slower)\n"
          "      --no-kernel-count  stop at every syscall; by default (root, tracefs) hot\n"
          "                       calls such as read and write are counted in the kernel\n"
          "      --no-bpf         stop at path calls (stat, access, readlink, opening an\n"
          "                       existing file ...); by default (root, eBPF) the kernel\n"
          "                       reports them without stopping the workload\n"
          "      --workspace DIR  paths under the checkout DIR (auto: the git top-level\n"
          "                       above the current directory) become @{WORKSPACE}/...\n"
          "      --image IMAGE    record in a fresh container of IMAGE: the static minpriv\n"
          "                       mounted as its entrypoint, the trace copied out\n"
          "      --engine ENGINE  docker (default) or podman, for --image\n"
          "      --user U         the container's user (record as production runs it)\n"
          "      --engine-arg ARG one more argument for `ENGINE run` (volumes, network...)\n"
          "      --repeat N       run CMD N times into one trace; every syscall, argument\n"
          "                       value, path and capability says in how many runs it was\n"
          "                       seen (exit status: the first failing run's)\n"
          "  -q, --quiet          no summary on stderr\n" },
        { "merge", cmd_merge, "union several traces into one",
          "minpriv merge -o FILE TRACE...\n"
          "\n"
          "Writes the union of the traces (counts summed, peaks maxed). The result does\n"
          "not depend on the order of the inputs.\n" },
        { "explain", cmd_explain, "why is a syscall, path or capability in the profiles?",
          "minpriv explain TRACE ITEM\n"
          "\n"
          "Shows what the trace knows about ITEM: a syscall name (programs, counts,\n"
          "results, argument values, addresses, capability reasons, the first stack of\n"
          "each program with --stacks), an absolute path (access kinds and results,\n"
          "owner and mode, symlinks leading to it, what was used below a directory) or\n"
          "a capability (each reason with its inputs, results and stack).\n"
          "Exit status 1 when the trace does not have ITEM, 2 on bad input.\n" },
        { "diff", cmd_diff, "compare two sets of profiles (or traces) by what they grant",
          "minpriv diff [--format text|markdown|json] [--fail-on-widen] [--max-chars N]\n"
          "             [--full-diff TEXT] OLD NEW\n"
          "\n"
          "Compares OLD and NEW semantically: two profile directories (seccomp.json,\n"
          "apparmor.profile and caps.txt, each kind present in either), two files of\n"
          "the same kind, or two traces (the profiles generate would write, then the\n"
          "recorded facts). seccomp: every syscall of x86_64, i386 and x32 evaluated\n"
          "in both as runc compiles them, with argument values, errno and default\n"
          "action changes; AppArmor: rules added and removed, an added rule widening\n"
          "only by what no OLD rule covers (glob inclusion); capabilities added and\n"
          "removed. Widenings first, then narrowings, then other changes.\n"
          "A file only in one directory is compared with one that grants nothing.\n"
          "\n"
          "  --format text       for people (colour on a terminal unless NO_COLOR is set)\n"
          "  --format markdown   for a review comment: the counts and a table first, each\n"
          "                      class in a folded <details> section (widenings open)\n"
          "  --format json       stable for tools (docs/diff-format.md)\n"
          "  --fail-on-widen     exit 1 when NEW grants anything OLD did not\n"
          "  --max-chars N       markdown: at most N characters (default 60000, under\n"
          "                      GitHub's 65536 for a comment; 0: no cap), cut at a line\n"
          "  --full-diff TEXT    markdown: where the full diff is, named when it is cut\n"
          "\n"
          "Exit status 0 (also when only narrowing or nothing changed), 1 with\n"
          "--fail-on-widen when NEW widens, 2 on bad input (one line naming the file,\n"
          "with line:column for syntax errors).\n" },
        { "verify", cmd_verify, "run a command against existing profiles and report violations",
          "minpriv verify [-p DIR] [--enforce] [-o FILE] -- CMD [ARG...]\n"
          "\n"
          "Runs CMD under the tracer (with stacks) and checks what it did against the\n"
          "profiles in DIR (default: profiles): every syscall against seccomp.json as\n"
          "runc loads it for a container with --cap-drop ALL plus caps.txt (names,\n"
          "arguments with the recorded values, includes/excludes, errnoRet), every\n"
          "file access, capability and socket kind against apparmor.profile, every\n"
          "capability used against caps.txt. Each violation comes with its programs,\n"
          "counts, first stack and what to add.\n"
          "\n"
          "  -p, --profiles DIR  the profiles to check against\n"
          "      --enforce       load DIR/seccomp.json in the workload before exec (as\n"
          "                      runc would, with its -ENOSYS stub): denied calls really\n"
          "                      fail. On a kernel with AppArmor (as root), also load\n"
          "                      DIR/apparmor.profile (as minpriv-verify-NAME, with\n"
          "                      apparmor_parser -r -T) and start the workload in it\n"
          "                      (aa_change_onexec): the kernel's denials are reported\n"
          "                      with the rule that would allow each; elsewhere one line\n"
          "                      says why not. Capabilities are still audited\n"
          "  -o, --report FILE   write the report to FILE instead of stderr\n"
          "\n"
          "Default (audit): the workload runs undisturbed. Exit status: 3 with\n"
          "violations (whatever the workload's own status, which the report names);\n"
          "otherwise the workload's own status; 2 for bad usage or unreadable\n"
          "profiles; 127/126 when CMD is not found / executable.\n" },
        { "generate", cmd_generate, "write least-privilege profiles from traces",
          "minpriv generate [-o DIR] [--name NAME] [--runtime runc|crun|none]\n"
          "                 [--default-action errno|enosys|kill|log] [--globs FILE]\n"
          "                 [--format docker|k8s] [--spo-layout cluster|namespaced]\n"
          "                 [--workspace-at PATH] [--allow-gaps related|none] [--portable]\n"
          "                 [--dockerfile FILE] [-q] TRACE...\n"
          "\n"
          "Merges the traces and writes the profiles into DIR (default: profiles):\n"
          "each file is replaced atomically, and nothing is written unless every file\n"
          "could be made. Exit status 2 on bad input.\n"
          "\n"
          "  -o, --output DIR        output directory\n"
          "  -n, --name NAME         profile name (default: minpriv-PROGRAM)\n"
          "      --runtime RT        add the syscalls runc (default), crun or no runtime\n"
          "                          needs between loading the filter and exec\n"
          "      --default-action A  errno (EPERM, default), enosys, kill or log (trial)\n"
          "      --globs FILE        extra AppArmor glob rules (see templates/apparmor-globs.conf)\n"
          "      --format k8s        also Kubernetes resources (Security Profiles Operator)\n"
          "      --spo-layout L      cluster (default: Security Profiles Operator v0.9+,\n"
          "                          v1, operator/NAME.json) or namespaced (older operators)\n"
          "      --workspace-at PATH where a checkout recorded with --workspace lives where\n"
          "                          the profile is enforced: @{WORKSPACE} (default /workspace)\n"
          "      --allow-gaps G      related: also allow the syscalls `minpriv gaps` ranks\n"
          "                          as related to recorded ones, each with its reason\n"
          "                          (none, the default: the recording alone)\n"
          "      --portable          also allow the siblings of recorded syscalls that\n"
          "                          another libc or kernel uses (templates/portable-siblings.tsv)\n"
          "      --dockerfile FILE   check FILE (pinning, USER, build tools, secrets, ...)\n"
          "                          into hardening.md section 10 (docs/dockerfile-checks.md)\n"
          "  -q, --quiet             no summary on stderr\n" },
        { "report", cmd_report, "write a self-contained HTML report of a trace",
          "minpriv report [-o FILE] [--name NAME] [--runtime runc|crun|none]\n"
          "               [--dockerfile FILE] [--image FILE] [-q] TRACE...\n"
          "\n"
          "Merges the traces and writes one HTML page (no external resources, no\n"
          "script): the seccomp profile's size next to Docker's default, syscalls by\n"
          "program, a tree of the files accessed, capabilities with their reasons,\n"
          "network endpoints and the recordings. Exit status 2 on bad input.\n"
          "\n"
          "  -o, --output FILE   where to write it (default minpriv-report.html; - for stdout)\n"
          "  -n, --name NAME     profile name (default: minpriv-PROGRAM)\n"
          "      --runtime RT    the runtime whose syscalls the profile includes (runc)\n"
          "      --dockerfile F  add the Dockerfile's findings (an Image section)\n"
          "      --image FILE    add a minimal image's figures and proof (the image.json\n"
          "                      `minpriv image` wrote next to the profiles)\n"
          "  -q, --quiet         no summary on stderr\n" },
        { "image", cmd_image, "a minimal image from the recording, proved by running the workload in it",
          "minpriv image --source DIR|TAR [-o FILE] [-p DIR] [--tag TAG] [--exclude PATH]...\n"
          "              [--no-import] [--no-proof] [--timeout SEC] [--engine-arg ARG]... [-q]\n"
          "              TRACE... [-- CMD [ARG...]]\n"
          "\n"
          "Cuts from the source root (a directory, or an image exported with `docker\n"
          "export`) the files the traces show the workload used: what it read, mapped\n"
          "or executed, the directories and symlinks on the way (resolved inside the\n"
          "root), the dynamic loader, the directories it wrote to (empty); not ENOENT\n"
          "probes, /proc, /sys, /dev or what it created. Writes them as a deterministic\n"
          "tarball; where a Docker daemon answers, imports it and proves it: runs the\n"
          "workload (each recorded command, or CMD) in the image: a read-only root,\n"
          "no capability but caps.txt's, seccomp.json, hardening.md's mounts, no bind\n"
          "mounts. A failed run is shown with the files it missed. The figures\n"
          "and the proof go to DIR/image.json, which `minpriv report` can show.\n"
          "\n"
          "  -s, --source ROOT    the full root filesystem: a directory or a tar file\n"
          "  -o, --output FILE    the tarball (default minpriv-image.tar)\n"
          "  -p, --profiles DIR   the profiles the proof runs under, where image.json\n"
          "                       is written (default profiles)\n"
          "  -t, --tag TAG        the imported image's name (default: the profile name\n"
          "                       and the tarball's SHA-256)\n"
          "      --exclude PATH   leave PATH and what is below it out\n"
          "      --no-import      only the tarball (and image.json)\n"
          "      --no-proof       import, but do not run the workload\n"
          "      --timeout SEC    seconds per proof run (default 300)\n"
          "      --engine-arg ARG one more `docker run` argument for the proof\n"
          "  -q, --quiet          no summary on stderr\n"
          "\n"
          "Exit status 0 when built (and proved where a daemon answers), 1 when the\n"
          "workload failed in the image, 2 on bad input, 125 when the import failed.\n" },
        { "gaps", cmd_gaps, "syscalls the recorded programs can reach but no run made",
          "minpriv gaps [--format text|json] TRACE...\n"
          "\n"
          "For every program and shared library the traces show executed or mapped,\n"
          "the syscalls its code can reach (imported libc functions through\n"
          "templates/libc-syscalls.tsv, syscall instructions with a constant number)\n"
          "that were never recorded, per ABI; those related to recorded syscalls\n"
          "(templates/syscall-relations.tsv) first. Exit status 2 on bad input.\n"
          "\n"
          "      --format F      text (default) or json (docs/gaps-format.md)\n" },
};

static int print_version(void)
{
        printf("minpriv %s (%s)\n", MINPRIV_VERSION, MINPRIV_GIT_REVISION);
        return 0;
}

static int print_help(void)
{
        printf("usage: minpriv COMMAND [ARGS...]\n\n"
               "Least-privilege container profiles from what a workload really does.\n\n"
               "Commands:\n");
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                printf("  %-10s %s\n", commands[i].name, commands[i].summary);
        printf("  %-10s %s\n", "help", "show the usage of a command");
        printf("\nminpriv --version prints the version and git revision.\n");
        return 0;
}

static const command *find_command(const char *name)
{
        for (size_t i = 0; i < ELEMENTSOF(commands); i++)
                if (streq(commands[i].name, name))
                        return &commands[i];
        return NULL;
}

void log_error(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        fputs("minpriv: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
}

void log_notice(const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        fputs("minpriv: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
}

void log_mp_error(const mp_error *err)
{
        char buf[1024];
        mp_error_format(err, buf, sizeof buf);
        log_error("%s", buf);
}

int usage_error(const char *cmd, const char *fmt, ...)
{
        va_list ap;
        va_start(ap, fmt);
        fprintf(stderr, "minpriv %s: ", cmd);
        vfprintf(stderr, fmt, ap);
        fprintf(stderr, " (see 'minpriv help %s')\n", cmd);
        va_end(ap);
        return EXIT_BADINPUT;
}

int print_usage(const char *cmd)
{
        const command *c = find_command(cmd);
        if (!c)
                return usage_error("help", "unknown command '%s'", cmd);
        fputs("usage: ", stdout);
        fputs(c->usage, stdout);
        return 0;
}

int main(int argc, char **argv)
{
        if (argc < 2)
                return print_help(), EXIT_BADINPUT;
        const char *name = argv[1];
        if (streq(name, "--version") || streq(name, "version"))
                return print_version();
        if (streq(name, "--help") || streq(name, "-h"))
                return print_help();
        if (streq(name, "help"))
                return argc > 2 ? print_usage(argv[2]) : print_help();
        const command *c = find_command(name);
        if (!c) {
                log_error("unknown command '%s' (see 'minpriv --help')", name);
                return EXIT_BADINPUT;
        }
        if (argc > 2 && (streq(argv[2], "--help") || streq(argv[2], "-h")))
                return print_usage(name);
        return c->run(argc - 1, argv + 1);
}
