build/joycore/builtins_list.o: joycore/builtins_list.cpp joycore/interp.h \
 joycore/value.h
joycore/interp.h:
joycore/value.h:
