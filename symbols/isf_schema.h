/* isf_schema.h - private to isf_validate.c and isf_schema.c: the JSON
 * tree of one ISF entry, the verdict being built, and the schema rules. */
#ifndef SCRY_ISF_SCHEMA_H
#define SCRY_ISF_SCHEMA_H

#include <stddef.h>

enum jk { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

struct jn {
    enum jk kind;
    const char *s; /* J_STR, J_NUM text; J_BOOL: "1"/"" */
    size_t n;
    const char *key; /* in an object: its key */
    size_t klen;
    struct jn *first, *last, *next, *parent;
};

enum isf_sec { ISF_SEC_NONE, ISF_SEC_META, ISF_SEC_BASE, ISF_SEC_USER, ISF_SEC_ENUMS,
               ISF_SEC_SYMS, ISF_SEC_OTHER };

/* The first error kept, and the 6.1 features met (checked once the format
 * is known, since metadata may come after the sections). */
struct isf_verdict {
    int failed;
    char why[1024];
    int seen_anonymous, seen_pointer_base;
    char first_anonymous[512]; /* the path of the first anonymous field */
};

/* A JSON path being built ("user_types.task_struct.fields.pid"). */
struct path {
    char buf[512];
    size_t len;
};

/* Appends ".k" (or "k" first); returns the length to pop back to. */
size_t isf_path_push(struct path *p, const char *k, size_t n);
void isf_path_pop(struct path *p, size_t old);
/* Keeps the first error ("<path>: <what>"); returns 0 (invalid). v NULL:
 * keeps nothing (a trial match). */
int isf_fail(struct isf_verdict *v, const struct path *p, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The member key of object o (the last of that name, as json.load keeps). */
const struct jn *isf_get(const struct jn *o, const char *key);

/* One entry of section s named name. */
void isf_check_entry(struct isf_verdict *v, enum isf_sec s, const char *name, const struct jn *x);
/* metadata, for format 6.<minor>.0; 1 valid. */
int isf_check_meta(struct isf_verdict *v, const struct jn *m, int minor);

#endif
