build-lto/joycore/builtins_numeric.o: joycore/builtins_numeric.cpp \
 joycore/collections.h joycore/interp.h joycore/value.h joycore/store.h
joycore/collections.h:
joycore/interp.h:
joycore/value.h:
joycore/store.h:
