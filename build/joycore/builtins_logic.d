build/joycore/builtins_logic.o: joycore/builtins_logic.cpp \
 joycore/interp.h joycore/value.h
joycore/interp.h:
joycore/value.h:
