/* SPDX-License-Identifier: MIT */
/* `minpriv report`: one self-contained HTML page for people who would
 * rather look than read. Built from a trace and the generator's context
 * (the profiles and their figures: the seccomp profile's size, AppArmor
 * rules; the emitters' files it shows), next to Docker's default profile
 * as measured in templates/docker-default.json.
 *
 * The page has no external resource and no script: inline CSS, inline SVG
 * bars, <details> for the collapsible file tree. It is deterministic (the
 * same traces in any order give the same bytes; no timestamp) and every
 * string from the trace is HTML-escaped, paths decoded first
 * (trace_path_decode) so that bytes which are not UTF-8 and control
 * characters show as visible \xHH escapes, never as raw bytes. */
#pragma once

#include "generator/generator.h"
#include "image/findings.h"

/* Docker's default seccomp profile as measured by
 * scripts/measure-docker-default (templates/docker-default.json). */
typedef struct report_docker {
        int allowed;  /* x86_64 syscalls allowed with the default capabilities */
        int known;    /* x86_64 syscalls libseccomp names */
        char **names; /* the allowed names, sorted, NULL-terminated */
        char *source; /* where the profile came from */
        char *measured_with;
} report_docker;

void report_docker_free(report_docker *d);

/* Read templates/docker-default.json from `dir`. -ENOENT (without filling
 * err) when the file does not exist; other errors name the file. */
int report_docker_load(const char *dir, report_docker *ret, mp_error *err);

/* Build the page from a generator context (gen_context_init: figures it
 * could not compute are -1); emitter_errors holds one line per profile
 * that could not be built (or is empty); docker may be NULL when the
 * template is missing; img (may be NULL) is a minimal image's findings
 * (image.json, `report --image`). Returns 0 and a new string in *ret. */
int report_build(const gen_context *ctx, const report_docker *docker, const image_findings *img,
                 const char *emitter_errors, char **ret, mp_error *err);

/* One report, everything in memory. */
typedef struct report_page {
        char *html;          /* the page */
        char *name;          /* the profile name */
        char *errors;        /* one line per profile that could not be built ("" when none) */
        bool docker_missing; /* the templates have no docker-default.json: left out */
} report_page;

/* The generator's context for the trace, Docker's figures from the
 * templates (gen_templates_dir(opts)), the page; img as for report_build.
 * Errors about the trace itself name trace_name when err names nothing
 * else. *ret is to be freed with report_page_free, also on failure. */
int report_generate(const trace *t, const gen_options *opts, const image_findings *img, const char *trace_name,
                    report_page *ret, mp_error *err);
void report_page_free(report_page *p);
