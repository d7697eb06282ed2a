build-o3/joycore/builtins_stack.o: joycore/builtins_stack.cpp \
 joycore/interp.h joycore/value.h
joycore/interp.h:
joycore/value.h:
