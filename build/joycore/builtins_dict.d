build/joycore/builtins_dict.o: joycore/builtins_dict.cpp joycore/interp.h \
 joycore/value.h
joycore/interp.h:
joycore/value.h:
