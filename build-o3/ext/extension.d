build-o3/ext/extension.o: ext/extension.cpp ext/busy.h ext/context.h \
 ext/../joycore/interp.h ext/../joycore/value.h ext/../joycore/reader.h \
 ext/statement.h ext/store_host.h ext/sqlite_store.h \
 ext/../joycore/store.h ext/sql_seal.h
ext/busy.h:
ext/context.h:
ext/../joycore/interp.h:
ext/../joycore/value.h:
ext/../joycore/reader.h:
ext/statement.h:
ext/store_host.h:
ext/sqlite_store.h:
ext/../joycore/store.h:
ext/sql_seal.h:
