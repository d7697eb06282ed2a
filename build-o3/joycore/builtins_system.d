build-o3/joycore/builtins_system.o: joycore/builtins_system.cpp \
 joycore/interp.h joycore/value.h joycore/store.h joycore/printer.h
joycore/interp.h:
joycore/value.h:
joycore/store.h:
joycore/printer.h:
