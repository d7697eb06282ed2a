build/joycore/builtins_numeric.o: joycore/builtins_numeric.cpp \
 joycore/interp.h joycore/value.h
joycore/interp.h:
joycore/value.h:
