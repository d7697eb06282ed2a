build/joycore/builtins_io.o: joycore/builtins_io.cpp joycore/interp.h \
 joycore/value.h
joycore/interp.h:
joycore/value.h:
