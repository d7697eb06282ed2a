build-lto/joycore/c_locale.o: joycore/c_locale.cpp joycore/c_locale.h
joycore/c_locale.h:
