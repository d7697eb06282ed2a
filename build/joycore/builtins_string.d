build/joycore/builtins_string.o: joycore/builtins_string.cpp \
 joycore/interp.h joycore/value.h
joycore/interp.h:
joycore/value.h:
