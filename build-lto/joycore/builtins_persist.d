build-lto/joycore/builtins_persist.o: joycore/builtins_persist.cpp \
 joycore/dict.h joycore/value.h joycore/interp.h joycore/store.h
joycore/dict.h:
joycore/value.h:
joycore/interp.h:
joycore/store.h:
