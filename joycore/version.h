// version.h - the version of Persistent Joy.
#pragma once
#define JOY_VERSION "0.1.0"
