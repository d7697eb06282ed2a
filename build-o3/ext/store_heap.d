build-o3/ext/store_heap.o: ext/store_heap.cpp ext/sqlite_store.h \
 ext/../joycore/interp.h ext/../joycore/value.h ext/../joycore/store.h \
 ext/sql_seal.h ext/statement.h ext/../joycore/dict.h \
 ext/../joycore/utf8.h ext/store_internal.h
ext/sqlite_store.h:
ext/../joycore/interp.h:
ext/../joycore/value.h:
ext/../joycore/store.h:
ext/sql_seal.h:
ext/statement.h:
ext/../joycore/dict.h:
ext/../joycore/utf8.h:
ext/store_internal.h:
