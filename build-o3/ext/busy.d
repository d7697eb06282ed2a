build-o3/ext/busy.o: ext/busy.cpp ext/busy.h ext/statement.h
ext/busy.h:
ext/statement.h:
