// schema.h - the SQL of sql/schema.sql, compiled in (the Makefile
// generates build/gen/schema_sql.inc from it).
#pragma once

#define JOY_SCHEMA_VERSION 1
static const char JOY_SCHEMA_SQL[] =
#include "schema_sql.inc"
    ;
