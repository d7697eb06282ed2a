// small_stack.cpp - values nested far deeper than a small C stack could
// recurse: read, printed, compared, copied, turned into JSON and back,
// persisted and recalled, all in a thread with a 256 KB stack (as a host
// may give the thread that runs SQL). An error is fine; a crash is not.
#define SQLITE_CORE 1  // the ext headers then call the SQLite library directly
#include <sqlite3.h>
#include <pthread.h>

#include <catch2/catch.hpp>
#include <functional>
#include <string>

#include "../../ext/sqlite_store.h"
#include "../../ext/store_host.h"
#include "support.h"

namespace {

constexpr size_t SMALL_STACK = 256 * 1024;
constexpr int DEEP = 20000;

// Runs `work` to its end on a thread with a 256 KB stack.
void on_small_stack(const std::function<void()>& work) {
    pthread_attr_t attr;
    REQUIRE(pthread_attr_init(&attr) == 0);
    REQUIRE(pthread_attr_setstacksize(&attr, SMALL_STACK) == 0);
    pthread_t thread;
    auto run = [](void* w) -> void* {
        (*static_cast<const std::function<void()>*>(w))();
        return nullptr;
    };
    REQUIRE(pthread_create(&thread, &attr, run, const_cast<std::function<void()>*>(&work)) == 0);
    pthread_join(thread, nullptr);
    pthread_attr_destroy(&attr);
}

std::string repeat(const std::string& s, int n) {
    std::string out;
    for (int k = 0; k < n; ++k) out += s;
    return out;
}

struct DbHost : joyext::StoreHost {
    std::string out;
    void write_out(std::string_view s) override { out += s; }
    void write_err(std::string_view s) override { out += s; }
};

// Runs each program on a database in memory; what each printed (errors included).
std::vector<std::string> run_all(const std::vector<std::string>& programs) {
    std::vector<std::string> printed;
    on_small_stack([&] {
        sqlite3* db = nullptr;
        sqlite3_open(":memory:", &db);
        {
            DbHost host;
            joy::Interp I(&host);
            host.set_store(std::make_unique<joyext::SqliteStore>(db), &I);
            I.set_limits({0, 256u << 20, 0});
            for (const std::string& p : programs) {
                host.out.clear();
                joy::run_text(I, p);
                printed.push_back(host.out);
                I.stk.clear();
            }
            host.set_store(nullptr, nullptr);
        }
        sqlite3_close(db);
    });
    return printed;
}

}  // namespace

TEST_CASE("deeply nested values need no deep C stack", "[stack]") {
    const std::string lists = repeat("[", DEEP) + "1" + repeat("]", DEEP);
    const std::string dicts = repeat("{a: ", DEEP) + "1" + repeat("}", DEEP);
    const std::string mixed = repeat("[{a: ", DEEP / 2) + "1" + repeat("}]", DEEP / 2);
    const std::string json = repeat("[{\"a\": ", DEEP / 2) + "1" + repeat("}]", DEEP / 2);
    std::vector<std::string> programs;
    for (const std::string& v : {lists, dicts, mixed}) {
        programs.push_back(v + " size .");
        programs.push_back(v + " dup = .");
        programs.push_back(v + " dup equal .");
        programs.push_back(v + " dup compare .");
        programs.push_back(v + " [] cons first size .");
        programs.push_back(v + " >json json> size .");
        programs.push_back(v + " \"deep\" persist \"deep\" recall size .");
        programs.push_back(v + " dup \"deep2\" persist \"deep2\" recall equal .");
        programs.push_back(v + " [] cons .");
        programs.push_back("[" + v + "] [i] map size .");
    }
    programs.push_back("\"" + json + "\" json> size .");
    programs.push_back("\"deep\" recall .");
    std::vector<std::string> printed = run_all(programs);
    REQUIRE(printed.size() == programs.size());
    CHECK(printed[0] == "1\n");
    CHECK(printed.back().size() > size_t(DEEP));
}

TEST_CASE("program text nested deep reads on a small stack", "[stack]") {
    std::vector<std::string> printed = run_all({
        "DEFINE f == " + repeat("[", DEEP) + repeat("]", DEEP) + ". f size .",
        repeat("HIDE x == 1 IN ", 1000) + "g == 1 " + repeat("END ", 1000) + ".",
        "2 3 + .",
    });
    CHECK(printed[0] == "1\n");
    CHECK(printed[1].find("nested more than") != std::string::npos);
    CHECK(printed[2] == "5\n");
}
