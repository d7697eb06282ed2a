build/ext/extension.o: ext/extension.cpp ext/../joycore/version.h
ext/../joycore/version.h:
