/*
 * pq_api.h - libpq, loaded on first use (util/dynlib.h): only a
 * postgresql:// store needs it.  Include after <libpq-fe.h>; the macros
 * route the libpq calls of the including file through the table, so the
 * code reads like plain libpq.  bl_pq_load() must have succeeded before
 * the first call (the PostgreSQL backend calls it when it opens a store).
 */
#ifndef BL_STORE_PQ_API_H
#define BL_STORE_PQ_API_H

#include <libpq-fe.h>

#include "util/error.h"

#define BL_PQ_FUNCS(X) \
	X(PQconnectdb) X(PQstatus) X(PQfinish) X(PQerrorMessage) X(PQsetNoticeProcessor) \
	X(PQsetClientEncoding) X(PQexec) X(PQexecParams) X(PQprepare) X(PQexecPrepared) \
	X(PQsendQueryParams) X(PQsetSingleRowMode) X(PQgetResult) X(PQresultStatus) \
	X(PQresultErrorMessage) X(PQntuples) X(PQgetvalue) X(PQgetisnull) X(PQgetlength) \
	X(PQcmdTuples) X(PQclear) X(PQputCopyData) X(PQputCopyEnd) X(PQresultErrorField)

struct bl_pq_api {
#define BL_PQ_MEMBER(f) __typeof__(f) *f;
	BL_PQ_FUNCS(BL_PQ_MEMBER)
#undef BL_PQ_MEMBER
};

/* Load libpq.so.5 once per process.  Returns 0, or BL_EINTERNAL with err
 * saying what is missing (every later call returns the same). */
int bl_pq_load(struct bl_error *err);

/* The table; only after bl_pq_load returned 0. */
const struct bl_pq_api *bl_pq(void);

#ifndef BL_PQ_NO_MACROS
#define PQconnectdb (bl_pq()->PQconnectdb)
#define PQstatus (bl_pq()->PQstatus)
#define PQfinish (bl_pq()->PQfinish)
#define PQerrorMessage (bl_pq()->PQerrorMessage)
#define PQsetNoticeProcessor (bl_pq()->PQsetNoticeProcessor)
#define PQsetClientEncoding (bl_pq()->PQsetClientEncoding)
#define PQexec (bl_pq()->PQexec)
#define PQexecParams (bl_pq()->PQexecParams)
#define PQprepare (bl_pq()->PQprepare)
#define PQexecPrepared (bl_pq()->PQexecPrepared)
#define PQsendQueryParams (bl_pq()->PQsendQueryParams)
#define PQsetSingleRowMode (bl_pq()->PQsetSingleRowMode)
#define PQgetResult (bl_pq()->PQgetResult)
#define PQresultStatus (bl_pq()->PQresultStatus)
#define PQresultErrorMessage (bl_pq()->PQresultErrorMessage)
#define PQntuples (bl_pq()->PQntuples)
#define PQgetvalue (bl_pq()->PQgetvalue)
#define PQgetisnull (bl_pq()->PQgetisnull)
#define PQgetlength (bl_pq()->PQgetlength)
#define PQcmdTuples (bl_pq()->PQcmdTuples)
#define PQclear (bl_pq()->PQclear)
#define PQputCopyData (bl_pq()->PQputCopyData)
#define PQputCopyEnd (bl_pq()->PQputCopyEnd)
#define PQresultErrorField (bl_pq()->PQresultErrorField)
#endif

#endif
