#pragma once
// GMime for the message builder (mime_message) and the inbound parser:
// owners for GObjects and g_malloc'd strings, and one g_mime_init per process.

#include <gmime/gmime.h>

#include <memory>
#include <mutex>

namespace pf::adapters {

struct GObjectUnref {
    void operator()(gpointer object) const { g_object_unref(object); }
};
template <typename T>
using GPtr = std::unique_ptr<T, GObjectUnref>;

struct GFreeString {
    void operator()(char* s) const { g_free(s); }
};
using GOwnedString = std::unique_ptr<char, GFreeString>;

// Thread-safe; every entry point that touches GMime calls it first.
inline void init_gmime() {
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

}  // namespace pf::adapters
