build-lto/joycore/builtins_list.o: joycore/builtins_list.cpp \
 joycore/collections.h joycore/interp.h joycore/value.h joycore/store.h \
 joycore/dict.h
joycore/collections.h:
joycore/interp.h:
joycore/value.h:
joycore/store.h:
joycore/dict.h:
