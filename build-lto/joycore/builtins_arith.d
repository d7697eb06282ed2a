build-lto/joycore/builtins_arith.o: joycore/builtins_arith.cpp \
 joycore/interp.h joycore/value.h
joycore/interp.h:
joycore/value.h:
