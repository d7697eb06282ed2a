build-lto/joycore/builtins_dict.o: joycore/builtins_dict.cpp \
 joycore/collections.h joycore/interp.h joycore/value.h joycore/store.h \
 joycore/dict.h joycore/json.h joycore/printer.h
joycore/collections.h:
joycore/interp.h:
joycore/value.h:
joycore/store.h:
joycore/dict.h:
joycore/json.h:
joycore/printer.h:
