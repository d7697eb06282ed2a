build/joycore/builtins_system.o: joycore/builtins_system.cpp \
 joycore/interp.h joycore/value.h
joycore/interp.h:
joycore/value.h:
