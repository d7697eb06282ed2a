build-o3/ext/sqlfunc_user.o: ext/sqlfunc_user.cpp ext/../joycore/dict.h \
 ext/../joycore/value.h ext/../joycore/json.h ext/../joycore/interp.h \
 ext/context.h ext/../joycore/reader.h ext/statement.h ext/store_host.h \
 ext/sqlite_store.h ext/../joycore/store.h ext/sql_seal.h ext/sqlvalue.h \
 ext/boundary.h
ext/../joycore/dict.h:
ext/../joycore/value.h:
ext/../joycore/json.h:
ext/../joycore/interp.h:
ext/context.h:
ext/../joycore/reader.h:
ext/statement.h:
ext/store_host.h:
ext/sqlite_store.h:
ext/../joycore/store.h:
ext/sql_seal.h:
ext/sqlvalue.h:
ext/boundary.h:
