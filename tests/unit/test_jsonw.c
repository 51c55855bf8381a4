/* SPDX-License-Identifier: MIT */
/* The streaming writer must write exactly what jansson writes
 * (JSON_INDENT(1) | JSON_SORT_KEYS), for any tree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>

#include "common/jsonw.h"
#include "common/util.h"

static unsigned seed = 12345;
static unsigned rnd(void)
{
        return seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff;
}

static json_t *random_value(int depth)
{
        unsigned kind = depth > 4 ? rnd() % 4 : rnd() % 6;
        switch (kind) {
        case 0: {
                char s[16];
                size_t n = rnd() % 12;
                for (size_t i = 0; i < n; i++) {
                        /* ASCII incl. controls, quotes, backslashes, DEL; and one UTF-8 letter */
                        unsigned c = rnd() % 130;
                        s[i] = c < 128 ? (char)(c ? c : 'x') : 'y';
                }
                s[n] = '\0';
                if (rnd() % 5 == 0)
                        return json_string("caf\xc3\xa9/\x7f");
                return json_string(s);
        }
        case 1:
                return json_integer((json_int_t)rnd() * (rnd() % 2 ? -1 : 1) * 100003);
        case 2:
                return json_boolean(rnd() % 2);
        case 3:
                return json_null();
        case 4: {
                json_t *a = json_array();
                size_t n = rnd() % 4;
                for (size_t i = 0; i < n; i++)
                        json_array_append_new(a, random_value(depth + 1));
                return a;
        }
        default: {
                json_t *o = json_object();
                size_t n = rnd() % 5;
                for (size_t i = 0; i < n; i++) {
                        char k[8];
                        snprintf(k, sizeof k, "%c%u", 'a' + (int)(rnd() % 26), rnd() % 10);
                        json_object_set_new(o, k, random_value(depth + 1));
                }
                return o;
        }
        }
}

static void test_same_as_jansson(void **state)
{
        for (int i = 0; i < 2000; i++) {
                json_t *v = json_object();
                json_object_set_new(v, "v", random_value(0));
                char *expect = json_dumps(v, JSON_INDENT(1) | JSON_SORT_KEYS | JSON_ENCODE_ANY);
                char *got = NULL;
                size_t size = 0;
                FILE *f = open_memstream(&got, &size);
                jsonw w;
                jsonw_init(&w, f, 0);
                jsonw_value(&w, v);
                fclose(f);
                assert_string_equal(got, expect);
                free(expect);
                free(got);
                json_decref(v);
        }
}

int main(void)
{
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_same_as_jansson) };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
